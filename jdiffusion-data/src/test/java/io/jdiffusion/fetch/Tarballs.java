package io.jdiffusion.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** npm-like tarballs written by the tests themselves (nothing is downloaded). */
final class Tarballs {
  private Tarballs() {}

  /** A minimal tar writer (ustar headers with checksums), for npm-like tarballs. */
  static final class Tar {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Adds a regular file. */
    Tar file(String name, byte[] data) {
      return entry(name, '0', data);
    }

    Tar file(String name, String text) {
      return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds an entry of any type; names over 100 bytes need {@link #pax} or {@link #gnuLongName}. */
    Tar entry(String name, char type, byte[] data) {
      byte[] h = new byte[512];
      put(h, 0, name, 100);
      put(h, 100, "0000644", 8);
      put(h, 108, "0000000", 8);
      put(h, 116, "0000000", 8);
      put(h, 124, String.format("%011o", data.length), 12);
      put(h, 136, "00000000000", 12);
      h[156] = (byte) type;
      put(h, 257, "ustar", 6);
      put(h, 263, "00", 2);
      for (int i = 148; i < 156; i++) {
        h[i] = ' ';
      }
      int sum = 0;
      for (byte b : h) {
        sum += b & 0xFF;
      }
      put(h, 148, String.format("%06o", sum), 7);
      out.writeBytes(h);
      out.writeBytes(data);
      out.writeBytes(new byte[(512 - data.length % 512) % 512]);
      return this;
    }

    /** A PAX header giving the next entry the path {@code path}. */
    Tar pax(String path) {
      String rec = " path=" + path + "\n";
      int len = rec.length();
      len += String.valueOf(len + String.valueOf(len).length()).length();
      return entry("PaxHeader", 'x', (len + rec).getBytes(StandardCharsets.UTF_8));
    }

    /** A GNU long-name entry giving the next entry the name {@code name}. */
    Tar gnuLongName(String name) {
      return entry("././@LongLink", 'L', (name + "\0").getBytes(StandardCharsets.UTF_8));
    }

    /** The archive, terminated by two zero blocks, gzipped. */
    byte[] tgz() throws IOException {
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (OutputStream z = new GZIPOutputStream(gz)) {
        z.write(out.toByteArray());
        z.write(new byte[1024]);
      }
      return gz.toByteArray();
    }

    private static void put(byte[] h, int off, String s, int len) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      System.arraycopy(b, 0, h, off, Math.min(b.length, len));
    }
  }

  /** A tarball holding {@code files} (name to content) under {@code package/}. */
  static byte[] npmTarball(Map<String, byte[]> files) throws IOException {
    Tar t = new Tar();
    files.forEach((name, data) -> t.file("package/" + name, data));
    return t.tgz();
  }
}
