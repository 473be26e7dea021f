package io.jdiffusion.cli;

import io.jdiffusion.interop.DiffusersFolder;
import io.jdiffusion.interop.DiffusersScheduler;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.pipeline.SampleOptions;
import io.jdiffusion.pipeline.TrainedModel;
import io.jdiffusion.store.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code export}: writes a model's weights as one safetensors file with diffusers' UNet2DModel
 * parameter names and the configs in the metadata, in float32 or bfloat16 (how the shipped models
 * were made from their runs).
 */
@Command(name = "export",
    header = "Write a model's weights as one safetensors file, with diffusers' parameter names.",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion export runs/quickstart -o quickstart.safetensors --bf16",
        "jdiffusion export fashion-mnist --diffusers fashion-mnist-diffusers/   # a folder diffusers loads",
        "jdiffusion export runs/quickstart --sampler ddim --eta 1 --steps 50 -o q.safetensors   # its defaults"},
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Write a model's weights (EMA by default) as one safetensors file: diffusers names, configs,",
        "class names and sampling defaults in the metadata; --bf16 halves the size. The file loads anywhere a model",
        "is asked for, and samples with the defaults it carries."})
public final class ExportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = Help.MODEL)
  String model;
  @Option(names = {"-o", "--out"}, description = "The .safetensors file to write (this or --diffusers; default: none).")
  Path out;
  @Option(names = "--diffusers", paramLabel = "DIR", description = "Write a diffusers folder instead (default: "
      + "none): config.json, diffusion_pytorch_model.safetensors, model_index.json, unet/ and scheduler/ (the "
      + "scheduler class of the default sampler, with the sampling defaults under _jdiffusion_sampling). "
      + "UNet2DModel.from_pretrained(DIR) and DDPMPipeline.from_pretrained(DIR) load it.") Path diffusers;
  @Option(names = "--force", description = "Let --diffusers write into a folder that is not empty, replacing its "
      + "config.json, model_index.json, weights and unet/, scheduler/ files (default: refused).") boolean force;
  @Option(names = "--bf16", description = "Store bfloat16 instead of float32.") boolean bf16;
  @Option(names = "--raw", description = "A checkpoint's raw weights instead of the EMA.") boolean raw;
  @Option(names = "--sampler", description = "The default sampler to store (default: the model's own). " + Help.SAMPLER_NAMES)
  String sampler;
  @Option(names = "--steps", description = "The default number of steps to store (default: the model's own).")
  Integer steps;
  @Option(names = "--eta", description = "The default eta to store, for samplers with one (default: the model's own).")
  Double eta;
  @Option(names = "--spacing", description = "The default timestep spacing to store (default: the model's own).")
  String spacing;
  @Option(names = "--guidance", description = "The guidance weight to store for class-conditional sampling "
      + "(default: the model's own, 1).")
  Double guidance;

  /** The model with the sampling defaults given here, checked against its schedule. */
  private TrainedModel withDefaults(TrainedModel m) {
    if (sampler == null && steps == null && eta == null && spacing == null && guidance == null) {
      return m;
    }
    SampleOptions o = SampleOptions.forModel(m, sampler, steps, eta, spacing, null, "--").build();
    o.checkAgainst(m.schedule());
    double w = guidance == null ? m.guidance() : guidance;
    if (!(w >= 0) || !Double.isFinite(w)) {
      throw new IllegalArgumentException("--guidance must be a finite weight >= 0, got " + w);
    }
    return m.withDefaults(o, w);
  }

  @Override
  public Integer call() throws Exception {
    if (diffusers != null) {
      return exportDiffusers();
    }
    if (out == null) {
      throw new IllegalArgumentException("give --out FILE.safetensors, or --diffusers DIR");
    }
    if (Files.isDirectory(out)) {
      throw new IllegalArgumentException(out + " is a directory; give a file name");
    }
    if (!out.getFileName().toString().endsWith(".safetensors")) {
      throw new IllegalArgumentException("-o " + out + ": export writes safetensors; give a name ending in .safetensors");
    }
    Outputs.writableFile(out, "-o");
    Torch.init(1);
    TrainedModel m = withDefaults(TrainedModel.resolve(model, !raw));
    m.exportWeights(out, bf16);
    byte[] bytes = Files.readAllBytes(out);
    String sha = Sha256.hex(bytes);
    System.out.printf(Locale.ROOT, "%s: %,d parameters, %s, %,d bytes, sha256 %s%n", out, m.net().parameterCount(),
        bf16 ? "bfloat16" : "float32", bytes.length, sha);
    return ExitCode.OK;
  }

  private int exportDiffusers() throws Exception {
    if (out != null || bf16) {
      throw new IllegalArgumentException("--diffusers writes a float32 folder; -o and --bf16 do not apply");
    }
    if (Files.exists(diffusers) && !Files.isDirectory(diffusers)) {
      throw new IllegalArgumentException("--diffusers " + diffusers + " is a file; give a directory");
    }
    if (Files.isDirectory(diffusers) && !force) {
      try (var entries = Files.list(diffusers)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("--diffusers " + diffusers + " is not empty; give a new or empty folder, or"
              + " --force to replace the export files in it");
        }
      }
    }
    Torch.init(1);
    TrainedModel m = withDefaults(TrainedModel.resolve(model, !raw));
    DiffusersFolder.write(diffusers, m.net(), m.scheduleConfig(), m.prediction(), m.sampling().sampler(),
        m.sampling().settings(), m.sampling().defaults(m.guidance()));
    System.out.printf(Locale.ROOT, "%s: %,d parameters, diffusers UNet2DModel + %s (DDPMPipeline layout), sampling "
        + "defaults %s%n", diffusers, m.net().parameterCount(), DiffusersScheduler.className(m.sampling().sampler()),
        m.sampling());
    return ExitCode.OK;
  }
}
