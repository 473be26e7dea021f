package io.jdiffusion.cli;

import io.jdiffusion.distributed.C10dReplicas;
import io.jdiffusion.nn.CpuInfo;
import io.jdiffusion.store.Json;
import io.jdiffusion.train.TrainConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Rank 0 of a data-parallel {@code train}: starts the other processes of this machine ({@code
 * --nproc}, like torchrun) or waits for those started by hand on other machines ({@code
 * --world-size}), serves the rendezvous, and hands them the run's configuration through it. The
 * workers are {@code train-worker} processes; they write nothing, rank 0 writes the run directory.
 */
final class DataParallel implements AutoCloseable {
  /** Store key of the run's configuration (JSON). */
  static final String CONFIG_KEY = "jdiffusion/train-config";
  /** Store key of the non-finite policy. */
  static final String POLICY_KEY = "jdiffusion/on-nonfinite";

  private final C10dReplicas replicas;
  private final List<Process> workers;

  private DataParallel(C10dReplicas replicas, List<Process> workers) {
    this.replicas = replicas;
    this.workers = workers;
  }

  /** Threads per process when {@code nproc} processes share this machine: its physical cores split evenly. */
  static int threadsPerProcess(int nproc) {
    return Math.max(1, CpuInfo.current().physicalCores() / nproc);
  }

  /**
   * Starts the job as rank 0.
   *
   * @param nproc processes on this machine (the others are started here), or 1 with {@code worldSize}
   * @param worldSize processes in all (machines started by hand), or 0 for {@code nproc}
   * @param master HOST:PORT of the rendezvous; null for 127.0.0.1 and a free port (one machine only)
   * @param device the --device value, given to every process (plain cuda: a GPU each)
   */
  static DataParallel start(int nproc, int worldSize, String master, String network, long timeoutMs,
      TrainConfig config, String policy, String device) throws IOException {
    int world = worldSize > 0 ? worldSize : nproc;
    String host = "127.0.0.1";
    int port;
    if (master != null) {
      int colon = master.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("--master must be HOST:PORT, got '" + master + "'");
      }
      host = master.substring(0, colon);
      port = Integer.parseInt(master.substring(colon + 1));
    } else {
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
    }
    List<Process> workers = new ArrayList<>();
    try {
      for (int rank = 1; rank < nproc; rank++) {
        workers.add(spawn(rank, world, host + ":" + port, network, timeoutMs, config.threads(), device));
      }
      C10dReplicas replicas = C10dReplicas.join(host, port, 0, world, network, timeoutMs);
      replicas.exchange(CONFIG_KEY, Json.write(config));
      replicas.exchange(POLICY_KEY, policy);
      return new DataParallel(replicas, workers);
    } catch (RuntimeException | IOException e) {
      workers.forEach(Process::destroyForcibly);
      throw e;
    }
  }

  /** The command line that starts this program again: this JVM, its options and class path, then Main. */
  static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    return cmd;
  }

  /**
   * This process's index among the job's processes on this machine, from torchrun's LOCAL_RANK (0 when
   * it is not set): it picks the GPU of {@code --device cuda}.
   */
  static int localRank(java.util.Map<String, String> env) {
    String v = env.get("LOCAL_RANK");
    if (v == null || v.isBlank()) {
      return 0;
    }
    try {
      int r = Integer.parseInt(v.strip());
      if (r < 0 || r > 1023) {
        throw new NumberFormatException();
      }
      return r;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("LOCAL_RANK must be a whole number between 0 and 1023, got " + v);
    }
  }

  /** A {@code train-worker} JVM with this JVM's class path and options. */
  private static Process spawn(int rank, int world, String master, String network, long timeoutMs, int threads,
      String device) throws IOException {
    List<String> cmd = javaCommand();
    cmd.addAll(List.of("train-worker",
        "--rank", Integer.toString(rank), "--world-size", Integer.toString(world), "--master", master,
        "--network", network, "--timeout", Long.toString(timeoutMs / 1000), "--threads", Integer.toString(threads),
        "--device", device, "--local-rank", Integer.toString(rank)));
    return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** A process of the job stopped, or a collective with it failed. */
  static final class ProcessLost extends RuntimeException {
    ProcessLost(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Turns a failed collective into one clear line: which worker ended (and how), or the transport's
   * own words when none did here (another machine), and where the run can go on from.
   */
  ProcessLost lost(RuntimeException e, String newestCheckpoint) {
    String why = Main.message(e);
    for (int i = 0; i < workers.size(); i++) {
      Process p = workers.get(i);
      try {
        if (p.waitFor(2, TimeUnit.SECONDS)) {
          why = "worker " + (i + 1) + " ended with exit code " + p.exitValue();
          break;
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
    return new ProcessLost("a process of the data-parallel job was lost (" + why + "); training stopped; "
        + newestCheckpoint + "; 'train --resume' continues from it", e);
  }

  C10dReplicas replicas() {
    return replicas;
  }

  /** Waits for the workers started here to finish; fails when one of them did not end cleanly. */
  void finish() throws InterruptedException {
    for (int i = 0; i < workers.size(); i++) {
      Process p = workers.get(i);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new ProcessLost("worker " + (i + 1) + " did not finish within 60 s of rank 0", null);
      }
      if (p.exitValue() != 0) {
        throw new ProcessLost("worker " + (i + 1) + " ended with exit code " + p.exitValue(), null);
      }
    }
  }

  /** Stops whatever workers are still running (after a failure) and leaves the process group. */
  @Override
  public void close() {
    for (Process p : workers) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
    replicas.close();
  }
}
