package io.jdiffusion.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the upstream binary version of CIFAR-10 ({@code cifar-10-binary.tar.gz}): each batch file
 * is a sequence of 3073-byte records, one label byte (0..9) then 3072 pixel bytes, the R, G and B
 * planes of a 32x32 image, each row-major. The upstream batches hold 10000 records each; any
 * positive number is accepted.
 */
final class CifarBinary {
  /** Bytes per record: the label and the three planes. */
  static final int RECORD = 1 + Cifar10.IMAGE_BYTES;

  private CifarBinary() {}

  /**
   * Reads the records of {@code files}, in order.
   *
   * @throws DataException naming the file when it is missing, empty, not a whole number of
   *     records, or holds a label outside 0..9
   */
  static Cifar10.Parsed read(List<Path> files) {
    long total = 0;
    long[] sizes = new long[files.size()];
    for (int f = 0; f < files.size(); f++) {
      Path file = files.get(f);
      try {
        sizes[f] = Files.size(file);
      } catch (NoSuchFileException e) {
        throw new DataException(file + ": file not found", e);
      } catch (IOException e) {
        throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
      }
      if (sizes[f] == 0 || sizes[f] % RECORD != 0) {
        String hint = sizes[f] > 0 && sizes[f] % (RECORD + 1) == 0
            ? "; 3074-byte records are CIFAR-100, which is not supported" : "";
        throw new DataException(
            file + ": " + sizes[f] + " bytes is not a whole number of CIFAR-10 records (" + RECORD
                + " bytes each: 1 label byte + 3072 pixel bytes)" + hint);
      }
      total += sizes[f] / RECORD;
    }
    if (total * Cifar10.IMAGE_BYTES > Idx.MAX_BYTES) {
      throw new DataException(files.get(0) + " ...: " + total + " images are too many for one in-memory split");
    }
    int n = (int) total;
    byte[] pixels = new byte[n * Cifar10.IMAGE_BYTES];
    byte[] labels = new byte[n];
    byte[] record = new byte[RECORD];
    int k = 0;
    for (int f = 0; f < files.size(); f++) {
      Path file = files.get(f);
      try (InputStream in = Files.newInputStream(file)) {
        for (long r = 0; r < sizes[f] / RECORD; r++, k++) {
          if (in.readNBytes(record, 0, RECORD) != RECORD) {
            throw new DataException(file + ": truncated while reading record " + r + " (the file shrank?)");
          }
          int label = record[0] & 0xFF;
          if (label >= Cifar10.CLASS_NAMES.size()) {
            throw new DataException(
                file + ": label " + label + " of record " + r + " (byte offset " + r * RECORD
                    + ") is outside 0..9; is this really a CIFAR-10 binary batch?");
          }
          labels[k] = (byte) label;
          System.arraycopy(record, 1, pixels, k * Cifar10.IMAGE_BYTES, Cifar10.IMAGE_BYTES);
        }
      } catch (IOException e) {
        throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
      }
    }
    return new Cifar10.Parsed(pixels, labels);
  }
}
