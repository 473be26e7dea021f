package io.jdiffusion.cli;

import io.jdiffusion.nn.UNetConfig;
import io.jdiffusion.train.TrainConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The defaults {@code train --help} shows, read from the presets themselves ({@link TrainConfig#quick()}
 * and {@link TrainConfig#reference()}) so that the help can never disagree with them: each option's
 * description says {@code ${sys:jdiffusion.default.NAME}}, which picocli fills from the system property
 * that {@link #publish()} sets.
 */
final class PresetDefaults {
  private static final Map<String, Function<TrainConfig, Object>> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("steps", TrainConfig::steps);
    OPTIONS.put("batch-size", TrainConfig::batchSize);
    OPTIONS.put("lr", TrainConfig::lr);
    OPTIONS.put("warmup", TrainConfig::warmupSteps);
    OPTIONS.put("lr-schedule", TrainConfig::lrSchedule);
    OPTIONS.put("weight-decay", TrainConfig::weightDecay);
    OPTIONS.put("grad-clip", TrainConfig::gradClip);
    OPTIONS.put("ema-decay", TrainConfig::emaDecay);
    OPTIONS.put("prediction", TrainConfig::prediction);
    OPTIONS.put("loss", TrainConfig::loss);
    OPTIONS.put("beta-schedule", c -> c.schedule().betaSchedule());
    OPTIONS.put("timesteps", c -> c.schedule().steps());
    OPTIONS.put("precision", TrainConfig::precision);
    OPTIONS.put("seed", TrainConfig::seed);
    OPTIONS.put("base-channels", c -> c.model().baseChannels());
    OPTIONS.put("channel-mults", c -> c.model().channelMults());
    OPTIONS.put("res-blocks", c -> c.model().numResBlocks());
    OPTIONS.put("attention-res", c -> attention(c.model()));
    OPTIONS.put("heads", c -> c.model().heads());
    OPTIONS.put("dropout", c -> c.model().dropout());
    OPTIONS.put("groups", c -> c.model().groups());
    OPTIONS.put("class-dropout", TrainConfig::classDropout);
    OPTIONS.put("log-every", TrainConfig::logEvery);
    OPTIONS.put("checkpoint-every", TrainConfig::checkpointEvery);
    OPTIONS.put("keep-checkpoints", TrainConfig::keepCheckpoints);
    OPTIONS.put("sample-every", TrainConfig::sampleEvery);
  }

  private PresetDefaults() {}

  /** Sets {@code jdiffusion.default.NAME} to "Q" or "Q; reference preset: R" for every preset-valued option. */
  static void publish() {
    TrainConfig quick = TrainConfig.quick();
    TrainConfig reference = TrainConfig.reference();
    for (Map.Entry<String, Function<TrainConfig, Object>> e : OPTIONS.entrySet()) {
      System.setProperty("jdiffusion.default." + e.getKey(), text(e.getValue(), quick, reference));
    }
  }

  /** The default text of one option, e.g. "1500; reference preset: 60000". */
  static String text(Function<TrainConfig, Object> value, TrainConfig quick, TrainConfig reference) {
    String q = format(value.apply(quick));
    String r = format(value.apply(reference));
    return q.equals(r) ? q : q + "; reference preset: " + r;
  }

  /** The options whose defaults come from the presets. */
  static java.util.Set<String> options() {
    return OPTIONS.keySet();
  }

  private static Object attention(UNetConfig c) {
    return c.attentionResolutions().isEmpty() ? "none" : c.attentionResolutions();
  }

  private static String format(Object v) {
    if (v instanceof List<?> l) {
      return l.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
    if (v instanceof Double d) {
      return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    if (v instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT);
    }
    return String.valueOf(v);
  }
}
