package io.jdiffusion.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests as lower-case hex, the form pinned in model cards and safetensors metadata. */
public final class Sha256 {
  private Sha256() {}

  /** The SHA-256 of {@code bytes}, 64 hex digits. */
  public static String hex(byte[] bytes) {
    return hex(ByteBuffer.wrap(bytes));
  }

  /** The SHA-256 of the remaining bytes of {@code parts}, in order (which it consumes), 64 hex digits. */
  public static String hex(ByteBuffer... parts) {
    MessageDigest md = digest();
    for (ByteBuffer part : parts) {
      md.update(part);
    }
    return hex(md);
  }

  /** The SHA-256 of a file's contents, read in 64 KiB blocks (files of any size), 64 hex digits. */
  public static String hex(Path file) throws IOException {
    MessageDigest md = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return hex(md);
  }

  /** A fresh SHA-256 digest, for data fed in pieces (then {@link #hex(MessageDigest)}). */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The digest's value as 64 hex digits (the digest is reset). */
  public static String hex(MessageDigest md) {
    return HexFormat.of().formatHex(md.digest());
  }
}
