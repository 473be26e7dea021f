package io.jdiffusion.store;

import java.nio.ByteBuffer;
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
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (ByteBuffer part : parts) {
        md.update(part);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
