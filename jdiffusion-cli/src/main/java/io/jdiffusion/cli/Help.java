package io.jdiffusion.cli;

/** Help texts several commands share, written once. */
final class Help {
  /** What a MODEL argument may be. */
  static final String MODEL = "Run directory, checkpoint, weights .safetensors file, diffusers folder, "
      + "hf:ORG/NAME[@REVISION] (downloaded from the Hugging Face Hub), or a shipped model (fashion-mnist, "
      + "fashion-mnist-cond, mnist).";
  /** {@link #MODEL}, for commands where it may be left out. */
  static final String MODEL_OR_DEFAULT = "Run directory, checkpoint, weights .safetensors file, diffusers folder, "
      + "hf:ORG/NAME[@REVISION] (downloaded from the Hugging Face Hub), or a shipped model (fashion-mnist, "
      + "fashion-mnist-cond, mnist); default: the shipped fashion-mnist model.";

  private Help() {}

  /** --threads of the commands that compute. */
  /** Every built-in sampler (a test checks this list against {@link io.jdiffusion.sampling.Samplers#names}). */
  static final String SAMPLER_NAMES = "ddpm, ddim, pndm, lms, lms-karras, euler, euler-karras, euler-a, euler-a-karras, "
      + "heun, heun-karras, dpm++2m, dpm++2m-karras, dpm++2m-sde, dpm++2m-sde-karras, dpm++3m, dpm++3m-karras, unipc, "
      + "unipc-karras or lcm; diffusers' and the web UIs' names work too (plms, \"Euler a\", \"DPM++ 2M Karras\", "
      + "k_dpmpp_2m, uni_pc).";
  static final String SAMPLERS = SAMPLER_NAMES + " Default: the model's own (stored in its file or a diffusers folder's "
      + "scheduler config, else ddim).";
  static final String THREADS = "libtorch threads (default: 0, one per physical core).";
}
