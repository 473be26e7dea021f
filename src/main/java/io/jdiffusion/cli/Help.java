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
  static final String THREADS = "libtorch threads (default: 0, one per physical core).";
}
