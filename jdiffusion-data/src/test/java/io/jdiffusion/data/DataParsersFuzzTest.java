package io.jdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated inputs ({@link Mutations}) for every dataset parser (MNIST JSON, CIFAR labels,
 * CIFAR PNG batches, CIFAR binary batches, emoji.json): each either succeeds or throws a one-line
 * DataException naming the input; never another exception. The tar.gz reader's fuzz test is
 * {@code fetch/TarGzFuzzTest}.
 */
class DataParsersFuzzTest {
  private static final int INPUTS = 200;

  @TempDir Path dir;

  /** Feeds {@link #INPUTS} mutations of {@code valid}, written to {@code file}, to {@code parser}. */
  private void fuzz(long seed, byte[] valid, Path file, Consumer<Path> parser) throws IOException {
    Random rnd = new Random(seed);
    int ok = 0;
    for (int iter = 0; iter < INPUTS; iter++) {
      Files.write(file, Mutations.mutate(rnd, valid, iter));
      try {
        parser.accept(file);
        ok++;
      } catch (DataException e) {
        assertTrue(e.getMessage().contains(file.getFileName().toString()), "names the input: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
      } catch (Throwable t) {
        fail("input " + iter + " of seed " + seed + ": expected only DataException, got " + t, t);
      }
    }
    assertTrue(ok < INPUTS, "the mutations must break the parser at least sometimes");
  }

  @Test
  void mnistDigitFile() throws IOException {
    StringBuilder sb = new StringBuilder("{\"data\": [");
    for (int p = 0; p < 784; p++) {
      sb.append(p == 0 ? "" : ",").append(Fixtures.threeDecimals(p % 256));
    }
    byte[] valid = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    fuzz(1, valid, dir.resolve("3.json"), f -> Mnist.readDigitFile(f, new double[1]));
  }

  @Test
  void cifarLabels() throws IOException {
    byte[] valid = Fixtures.labelsJson(40).getBytes(StandardCharsets.UTF_8);
    fuzz(2, valid, dir.resolve("train_lables.json"), CifarPng::readLabels);
  }

  @Test
  void cifarPngBatch() throws IOException {
    Path ok = dir.resolve("ok.png");
    Fixtures.cifarPng(ok, 0, 2);
    Path labels = Files.writeString(dir.resolve("labels.json"), Fixtures.labelsJson(2));
    fuzz(3, Files.readAllBytes(ok), dir.resolve("data_batch_1.png"), f -> CifarPng.read(List.of(f), labels));
  }

  @Test
  void cifarBinaryBatch() throws IOException {
    byte[] valid = Fixtures.cifarBinary(0, 2);
    Random rnd = new Random(4);
    Path file = dir.resolve("data_batch_1.bin");
    for (int iter = 0; iter < INPUTS; iter++) {
      byte[] b = iter % 2 == 0 ? Mutations.mutate(rnd, valid, iter) : valid.clone();
      if (iter % 2 == 1) { // whole records with random label bytes
        b[rnd.nextBoolean() ? 0 : 3073] = (byte) rnd.nextInt(256);
      }
      Files.write(file, b);
      try {
        CifarBinary.read(List.of(file));
      } catch (DataException e) {
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
      } catch (Throwable t) {
        fail("input " + iter + ": expected only DataException, got " + t, t);
      }
    }
  }

  @Test
  void emojiJson() throws IOException {
    Path pkg = Fixtures.emojiPackage(dir);
    byte[] valid = Files.readAllBytes(pkg.resolve("emoji.json"));
    fuzz(5, valid, dir.resolve("emoji.json"), Emoji::categories);
  }
}
