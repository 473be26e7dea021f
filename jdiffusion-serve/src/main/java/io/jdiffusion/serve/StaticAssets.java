package io.jdiffusion.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The web page: files from the classpath folder {@code io/jdiffusion/serve/web/}, by plain names only
 * ({@code /} is {@code index.html}); nothing is fetched from the network, and the page may load
 * nothing but what this server sends (Content-Security-Policy).
 */
final class StaticAssets implements HttpHandler {
  private static final Pattern NAME = Pattern.compile("[a-z0-9-]+\\.(html|js|css)");
  private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");
  private static final String POLICY = "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
      + "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String name = path.equals("/") ? "index.html" : path.substring(1);
      if (!ex.getRequestMethod().equals("GET")) {
        Http.error(ex, new ApiError(405, ex.getRequestMethod() + " is not allowed here; use GET"));
        return;
      }
      InputStream in = NAME.matcher(name).matches() ? StaticAssets.class.getResourceAsStream("web/" + name) : null;
      if (in == null) {
        Http.error(ex, ApiError.notFound("no such page: " + path));
        return;
      }
      byte[] body;
      try (in) {
        body = in.readAllBytes();
      }
      ex.getResponseHeaders().set("Content-Security-Policy", POLICY);
      Http.bytes(ex, 200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), body);
    } catch (IOException e) {
      // the client went away
    }
  }
}
