package io.jdiffusion.hub;

import java.util.regex.Pattern;

/**
 * A model on the Hugging Face Hub as the command line names it: {@code hf:ORG/NAME} or {@code
 * hf:ORG/NAME@REVISION} (a branch, tag or commit; default {@code main}, as huggingface_hub's
 * {@code revision=None}).
 *
 * @param repo ORG/NAME (or a bare NAME, the Hub's older canonical models)
 * @param revision a branch, tag or commit hash
 */
public record HubRef(String repo, String revision) {
  /** What marks a model name as a Hub reference. */
  public static final String PREFIX = "hf:";
  /** The revision when none is given. */
  public static final String MAIN = "main";

  // The Hub's repo id rules (huggingface_hub validate_repo_id): letters, digits, - _ . ; no -- or ..
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

  public HubRef {
    String[] parts = repo.split("/", -1);
    if (parts.length > 2 || java.util.Arrays.stream(parts).anyMatch(p -> !PART.matcher(p).matches())
        || repo.contains("--") || repo.contains("..") || repo.endsWith(".") || repo.endsWith("-")) {
      throw new IllegalArgumentException("hf:" + repo + ": a Hub model is ORG/NAME (letters, digits, '-', '_', '.'; no"
          + " '--' or '..')");
    }
    if (!REVISION.matcher(revision).matches() || revision.contains("..")) {
      throw new IllegalArgumentException("hf:" + repo + "@" + revision + ": a revision is a branch, tag or commit hash"
          + " (letters, digits, '-', '_', '.')");
    }
  }

  /** Whether {@code spec} names a Hub model (starts with {@value #PREFIX}). */
  public static boolean isRef(String spec) {
    return spec != null && spec.startsWith(PREFIX);
  }

  /** Parses {@code hf:ORG/NAME[@REVISION]}. */
  public static HubRef parse(String spec) {
    if (!isRef(spec)) {
      throw new IllegalArgumentException(spec + ": a Hub model is written hf:ORG/NAME[@REVISION]");
    }
    String s = spec.substring(PREFIX.length());
    int at = s.indexOf('@');
    return at < 0 ? new HubRef(s, MAIN) : new HubRef(s.substring(0, at), s.substring(at + 1));
  }

  /** The cache folder's name for the repository: ORG--NAME (huggingface_hub's models--ORG--NAME, shortened). */
  String folderName() {
    return repo.replace("/", "--");
  }

  @Override
  public String toString() {
    return PREFIX + repo + (revision.equals(MAIN) ? "" : "@" + revision);
  }
}
