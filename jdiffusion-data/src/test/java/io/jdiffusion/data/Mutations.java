package io.jdiffusion.data;

import java.util.Arrays;
import java.util.Random;

/** Damaged variants of a valid input, for the parsers' fuzz tests (data and fetch). */
public final class Mutations {
  /** Characters that make plausible-looking JSON damage. */
  private static final String SYNTAX = " ,[]{}\":-.0123456789eE\0x";

  private Mutations() {}

  /**
   * Noise, a truncated and bit-flipped valid input, a valid input with JSON syntax characters
   * scattered in, or a valid input with random bytes spliced in, chosen by {@code iter % 4}.
   */
  public static byte[] mutate(Random rnd, byte[] valid, int iter) {
    switch (iter % 4) {
      case 0 -> {
        byte[] noise = new byte[rnd.nextInt(200)];
        rnd.nextBytes(noise);
        return noise;
      }
      case 1 -> {
        byte[] b = Arrays.copyOf(valid, rnd.nextInt(valid.length + 1));
        for (int k = 0; k < 1 + rnd.nextInt(4) && b.length > 0; k++) {
          b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
        return b;
      }
      case 2 -> {
        byte[] b = valid.clone();
        for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
          b[rnd.nextInt(b.length)] = (byte) SYNTAX.charAt(rnd.nextInt(SYNTAX.length()));
        }
        return b;
      }
      default -> {
        int at = rnd.nextInt(valid.length + 1);
        byte[] insert = new byte[1 + rnd.nextInt(16)];
        rnd.nextBytes(insert);
        byte[] b = new byte[valid.length + insert.length];
        System.arraycopy(valid, 0, b, 0, at);
        System.arraycopy(insert, 0, b, at, insert.length);
        System.arraycopy(valid, at, b, at + insert.length, valid.length - at);
        return b;
      }
    }
  }
}
