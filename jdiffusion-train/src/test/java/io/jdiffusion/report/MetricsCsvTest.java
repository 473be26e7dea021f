package io.jdiffusion.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsCsvTest {
  @Test
  void summarisesARunResumedOnce() {
    MetricsCsv m = MetricsCsv.parse(List.of(
        "step,loss,lr,grad_norm,images_per_s,elapsed_s",
        "25,0.500000,1.000e-03,1.2000,100.00,10.0",
        "50,0.200000,2.000e-03,0.9000,110.00,20.0",
        "75,0.250000,2.000e-03,0.8000,120.00,5.0", // resumed: elapsed restarts
        "100,0.100000,1.500e-03,0.7000,130.00,12.5",
        ""), "metrics.csv");
    MetricsCsv.Summary s = m.summary();
    assertEquals(4, s.rows());
    assertEquals(100, s.lastStep());
    assertEquals(0.5, s.firstLoss());
    assertEquals(0.1, s.lastLoss());
    assertEquals(0.1, s.minLoss());
    assertEquals(130.0, s.lastImagesPerSecond());
    assertEquals(20.0 + 12.5, s.totalSeconds(), 1e-9);
    assertEquals(2, s.sessions());
    assertArrayEquals(new double[] {25, 50, 75, 100}, m.steps());
    assertArrayEquals(new double[] {0.5, 0.2, 0.25, 0.1}, m.losses());
  }

  @Test
  void readsColumnsByNameAndToleratesMissingOnes() {
    MetricsCsv m = MetricsCsv.parse(List.of("loss,step", "0.3,10", "0.2,20"), "m.csv");
    assertEquals(20, m.summary().lastStep());
    assertEquals(0.2, m.summary().lastLoss());
    assertTrue(Double.isNaN(m.rows().get(0).lr()));
    assertEquals(0, m.summary().totalSeconds());
    assertNull(MetricsCsv.parse(List.of("step,loss"), "m.csv").summary(), "no rows, no summary");
  }

  @Test
  void malformedFilesNameTheLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MetricsCsv.parse(List.of("step,loss", "1,0.5", "2,oops"), "run/metrics.csv"));
    assertTrue(e.getMessage().startsWith("run/metrics.csv:3:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> MetricsCsv.parse(List.of("step,loss", "1"), "m.csv"));
    assertTrue(e.getMessage().contains("m.csv:2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> MetricsCsv.parse(List.of("a,b"), "m.csv"));
    assertTrue(e.getMessage().contains("no step and loss"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MetricsCsv.parse(List.of(), "m.csv"));
  }
}
