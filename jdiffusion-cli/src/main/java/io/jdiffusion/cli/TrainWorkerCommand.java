package io.jdiffusion.cli;

import io.jdiffusion.distributed.C10dReplicas;
import io.jdiffusion.nn.Torch;
import io.jdiffusion.store.Json;
import io.jdiffusion.train.NonFinitePolicy;
import io.jdiffusion.train.TrainConfig;
import io.jdiffusion.train.Trainer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code train-worker}: one more process of a data-parallel {@code train} job. It joins rank 0's
 * rendezvous, takes the run's configuration from it, trains its slice of every global batch and
 * writes nothing. {@code train --nproc N} starts these itself; on other machines start one per
 * process by hand, with the same data available there.
 */
@Command(name = "train-worker",
    header = "Join a data-parallel train job as one more process (started by 'train --nproc', or by hand on other machines).",
    footerHeading = "%nExamples:%n",
    footer = {
        "jdiffusion train-worker --rank 1 --world-size 2 --master hostA:29500 --network eth0"}, mixinStandardHelpOptions = true, sortOptions = false,
    description = {"One more process of a data-parallel train job (started by 'train --nproc', or by hand on other",
        "machines for 'train --world-size'): joins rank 0 at --master and trains its slice of each batch."})
public final class TrainWorkerCommand implements Callable<Integer> {
  @Mixin DeviceFlag device;
  @Option(names = "--rank", required = true, description = "This process's rank, 1 .. world size - 1.") int rank;
  @Option(names = "--world-size", required = true, description = "Processes in the job.") int worldSize;
  @Option(names = "--master", required = true, description = "HOST:PORT of rank 0's rendezvous.") String master;
  @Option(names = "--network", defaultValue = "lo",
      description = "Network interface (lo, eth0, ...) or host name Gloo binds to (default: ${DEFAULT-VALUE}).")
  String network;
  @Option(names = "--timeout", defaultValue = "300",
      description = "Seconds to wait for the others, at the start and in every step (default: ${DEFAULT-VALUE}).")
  long timeout;
  @Option(names = "--threads", description = "libtorch threads (default: rank 0's setting).") Integer threads;
  @Option(names = "--local-rank", description = "This process's index among the job's processes on this machine: "
      + "its GPU for --device cuda (default: LOCAL_RANK, else 0).") Integer localRank;

  @Override
  public Integer call() throws Exception {
    if (rank < 1 || rank >= worldSize) {
      throw new IllegalArgumentException("--rank must be between 1 and --world-size - 1 (rank 0 is 'train'), got "
          + rank);
    }
    if (timeout < 1 || timeout > 86_400) {
      throw new IllegalArgumentException("--timeout must be between 1 and 86400 seconds, got " + timeout);
    }
    if (master == null) {
      throw new IllegalArgumentException("rank 0's address is needed: --master HOST:PORT (or MASTER_ADDR and MASTER_PORT)");
    }
    int colon = master.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--master must be HOST:PORT, got '" + master + "'");
    }
    Torch.init(threads != null ? threads : 0);
    device.use(localRank != null ? localRank : DataParallel.localRank(System.getenv()));
    try (C10dReplicas replicas = C10dReplicas.join(master.substring(0, colon),
        Integer.parseInt(master.substring(colon + 1)), rank, worldSize, network, timeout * 1000)) {
      TrainConfig cfg = Json.read(replicas.exchange(DataParallel.CONFIG_KEY, null), TrainConfig.class);
      if (threads != null) {
        cfg = cfg.toBuilder().threads(threads).build();
      }
      NonFinitePolicy policy = NonFinitePolicy.parse(replicas.exchange(DataParallel.POLICY_KEY, null));
      try (Trainer trainer = new Trainer(cfg, TrainCommand.openData(cfg), null, false, true)) {
        trainer.replicas(replicas).onNonFinite(policy).run();
      }
    }
    return ExitCode.OK;
  }
}
