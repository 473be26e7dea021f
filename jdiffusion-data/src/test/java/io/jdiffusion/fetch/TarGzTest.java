package io.jdiffusion.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdiffusion.data.DataException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {
  @TempDir Path dir;

  private static String strip(String entry) {
    return entry.startsWith("package/") ? entry.substring(8) : null;
  }

  private int extract(byte[] tgz, String name) {
    return TarGz.extract(new ByteArrayInputStream(tgz), name, dir.resolve("out"), TarGzTest::strip);
  }

  @Test
  void extractsMappedEntriesWithLongNames() throws IOException {
    String longName = "package/img/" + "d".repeat(120) + "/1f600.png";
    byte[] big = new byte[1500];
    Arrays.fill(big, (byte) 7);
    byte[] tgz = new Tarballs.Tar()
        .entry("package/src/", '5', new byte[0])
        .file("package/src/digits/0.json", "{\"data\": []}")
        .file("other/ignored.txt", "not under package/")
        .pax(longName).file("package/placeholder-name", big)
        .gnuLongName("package/gnu/" + "g".repeat(110) + ".txt").file("package/short", "gnu")
        .entry("package/link", '2', new byte[0])
        .tgz();
    assertEquals(3, extract(tgz, "t.tgz"));
    Path out = dir.resolve("out");
    assertEquals("{\"data\": []}", Files.readString(out.resolve("src/digits/0.json")));
    assertTrue(Arrays.equals(big, Files.readAllBytes(out.resolve(longName.substring(8)))));
    assertEquals("gnu", Files.readString(out.resolve("gnu/" + "g".repeat(110) + ".txt")));
    assertFalse(Files.exists(out.resolve("link")), "links are not extracted");
    assertFalse(Files.exists(dir.resolve("other")));
  }

  @Test
  void entriesEscapingTheDestinationAreRefused() throws IOException {
    byte[] tgz = new Tarballs.Tar().file("package/../../evil.txt", "x").tgz();
    DataException e = assertThrows(DataException.class, () -> extract(tgz, "evil.tgz"));
    assertTrue(e.getMessage().startsWith("evil.tgz: entry 'package/../../evil.txt' would be written outside"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("evil.txt")));
  }

  @Test
  void corruptInputIsADataExceptionNamingTheArchive() throws IOException {
    byte[] good = new Tarballs.Tar().file("package/a.txt", "a".repeat(3000)).tgz();

    assertMessage(Arrays.copyOf(good, good.length / 2), "truncated");
    assertMessage("plain text, not gzip".getBytes(), "corrupt");
    assertMessage(new byte[0], "truncated");

    byte[] raw = new Tarballs.Tar().file("package/a.txt", "abc").tgz();
    byte[] tar = gunzip(raw);
    tar[10] ^= 1; // inside the name: the checksum no longer matches
    assertMessage(gzip(tar), "corrupt tar header (checksum");
    byte[] noEnd = Arrays.copyOf(gunzip(raw), 1024); // header + data block, no end-of-archive marker
    assertMessage(gzip(noEnd), "truncated tar archive (no end-of-archive marker)");
  }

  @Test
  void missingArchiveIsNamed() {
    Path f = dir.resolve("nope.tgz");
    DataException e = assertThrows(DataException.class, () -> TarGz.extract(f, dir, TarGzTest::strip));
    assertEquals(f + ": file not found", e.getMessage());
  }

  private void assertMessage(byte[] tgz, String part) {
    DataException e = assertThrows(DataException.class, () -> extract(tgz, "x.tgz"));
    assertTrue(e.getMessage().startsWith("x.tgz: "), e.getMessage());
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  static byte[] gunzip(byte[] gz) throws IOException {
    try (var in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  static byte[] gzip(byte[] data) throws IOException {
    var bos = new java.io.ByteArrayOutputStream();
    try (var z = new java.util.zip.GZIPOutputStream(bos)) {
      z.write(data);
    }
    return bos.toByteArray();
  }
}
