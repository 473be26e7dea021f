package io.jdiffusion.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jdiffusion.store.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the Hugging Face Hub on two local servers, answering as the Hub does: {@code
 * /{repo}/resolve/{revision}/{path}} on the "Hub" (http://localhost:P), small files directly with a
 * git ETag, LFS files (*.safetensors) with a 302 to the "CDN" on another host (http://127.0.0.1:Q)
 * carrying X-Linked-Etag (the sha256) and X-Linked-Size; errors with X-Error-Code RepoNotFound or
 * EntryNotFound; 401 for a private repository without its token. The CDN honours Range requests and
 * can drop a connection part-way or serve corrupted bytes.
 */
final class HubStandIn implements AutoCloseable {
  /** One request as the server saw it. */
  record Request(String server, String path, String authorization, String range) {}

  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Path> repos = new ConcurrentHashMap<>();
  private final Set<String> privateRepos = Collections.synchronizedSet(new HashSet<>());
  private final HttpServer hub;
  private final HttpServer cdn;
  /** The CDN's next answer stops after this many bytes (then this resets to -1); -1: never. */
  volatile long dropAfter = -1;
  /** The CDN flips one byte of every LFS file. */
  volatile boolean corrupt;
  final String token = "hf_standin_secret";

  HubStandIn() throws IOException {
    hub = HttpServer.create(new InetSocketAddress(0), 0);
    cdn = HttpServer.create(new InetSocketAddress(0), 0);
    hub.createContext("/", this::hub);
    cdn.createContext("/", this::cdn);
    hub.start();
    cdn.start();
  }

  /** Serves the files under {@code folder} as repository {@code repo} (any revision). */
  HubStandIn repo(String repo, Path folder, boolean isPrivate) {
    repos.put(repo, folder);
    if (isPrivate) {
      privateRepos.add(repo);
    }
    return this;
  }

  String endpoint() {
    return "http://localhost:" + hub.getAddress().getPort();
  }

  private void hub(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    record(x, "hub");
    String[] p = path.split("/", 6); // "", org, name, "resolve", revision, file
    if (p.length < 6 || !p[3].equals("resolve")) {
      reply(x, 404, null, Map.of());
      return;
    }
    String repo = p[1] + "/" + p[2];
    Path root = repos.get(repo);
    boolean allowed = !privateRepos.contains(repo)
        || ("Bearer " + token).equals(x.getRequestHeaders().getFirst("Authorization"));
    if (root != null && !allowed) {
      reply(x, 401, null, Map.of());
      return;
    }
    if (root == null) {
      reply(x, 404, null, Map.of("X-Error-Code", "RepoNotFound"));
      return;
    }
    Path file = root.resolve(p[5]);
    if (!Files.isRegularFile(file)) {
      reply(x, 404, null, Map.of("X-Error-Code", "EntryNotFound"));
      return;
    }
    byte[] bytes = Files.readAllBytes(file);
    if (p[5].endsWith(".safetensors")) {
      String sha = Sha256.hex(bytes);
      reply(x, 302, null, Map.of("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/" + repo + "/"
          + p[5], "X-Linked-Etag", "\"" + sha + "\"", "X-Linked-Size", String.valueOf(bytes.length), "ETag",
          "\"" + sha + "\""));
      return;
    }
    reply(x, 200, bytes, Map.of("ETag", "\"" + Sha256.hex(bytes).substring(0, 40) + "\""));
  }

  private void cdn(HttpExchange x) throws IOException {
    record(x, "cdn");
    String[] p = x.getRequestURI().getPath().split("/", 5); // "", "cdn", org, name, file
    Path root = p.length == 5 ? repos.get(p[2] + "/" + p[3]) : null;
    if (root == null || !Files.isRegularFile(root.resolve(p[4]))) {
      reply(x, 404, null, Map.of());
      return;
    }
    byte[] bytes = Files.readAllBytes(root.resolve(p[4]));
    if (corrupt) {
      bytes[bytes.length / 2] ^= 1;
    }
    int from = 0;
    String range = x.getRequestHeaders().getFirst("Range");
    if (range != null && range.matches("bytes=\\d+-")) {
      from = Integer.parseInt(range.substring(6, range.length() - 1));
      x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
    }
    long drop = dropAfter;
    dropAfter = -1;
    x.sendResponseHeaders(from > 0 ? 206 : 200, bytes.length - from);
    OutputStream out = x.getResponseBody();
    if (drop >= 0) { // the headers promise the whole file; the body stops part-way and the connection closes
      out.write(bytes, from, (int) drop);
      out.flush();
      x.close(); // fewer bytes than promised: the server closes the connection
      return;
    }
    out.write(bytes, from, bytes.length - from);
    x.close();
  }

  private void record(HttpExchange x, String server) {
    requests.add(new Request(server, x.getRequestURI().getPath(), x.getRequestHeaders().getFirst("Authorization"),
        x.getRequestHeaders().getFirst("Range")));
  }

  private static void reply(HttpExchange x, int status, byte[] body, Map<String, String> headers) throws IOException {
    headers.forEach((k, v) -> x.getResponseHeaders().add(k, v));
    if (body == null) {
      x.sendResponseHeaders(status, -1);
    } else {
      x.sendResponseHeaders(status, body.length);
      x.getResponseBody().write(body);
    }
    x.close();
  }

  /** The requests so far that went to {@code server} ("hub" or "cdn"). */
  List<Request> to(String server) {
    synchronized (requests) {
      return requests.stream().filter(r -> r.server().equals(server)).toList();
    }
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
  }
}
