package io.jdiffusion.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Small pieces of HTML: escaping, tables and images embedded as base64 data URIs. */
final class Html {
  private Html() {}

  /** Escapes the five characters that matter in text and attribute values. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** An {@code <img>} whose source is the file's bytes as a data URI (PNG or GIF by extension). */
  static String img(Path file, String alt, String cssClass) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String mime = name.endsWith(".gif") ? "image/gif" : name.endsWith(".jpg") || name.endsWith(".jpeg")
        ? "image/jpeg" : "image/png";
    String data = Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    return "<img class=\"" + cssClass + "\" alt=\"" + esc(alt) + "\" src=\"data:" + mime + ";base64," + data + "\">";
  }

  /** A table with a header row; cells are escaped. */
  static String table(List<String> header, List<List<String>> rows) {
    StringBuilder b = new StringBuilder("<table>\n<tr>");
    for (String h : header) {
      b.append("<th>").append(esc(h)).append("</th>");
    }
    b.append("</tr>\n");
    for (List<String> row : rows) {
      b.append("<tr>");
      for (String cell : row) {
        b.append("<td>").append(esc(cell)).append("</td>");
      }
      b.append("</tr>\n");
    }
    return b.append("</table>\n").toString();
  }
}
