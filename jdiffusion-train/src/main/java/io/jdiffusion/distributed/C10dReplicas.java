package io.jdiffusion.distributed;

import io.jdiffusion.nn.Torch;
import io.jdiffusion.train.Replicas;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@link Replicas} on libtorch's c10d, the engine PyTorch's DistributedDataParallel uses: a TCPStore
 * at the master's address for the rendezvous and a process group for the collectives, chosen by the
 * device as {@code torch.distributed} does by default: Gloo for CPU tensors (TCP between processes and
 * machines), NCCL for CUDA tensors (the GPU build only). Gradients travel as one flat bucket per step,
 * as in DDP; the time spent in collectives is counted for the benchmarks.
 */
public final class C10dReplicas implements Replicas, AutoCloseable {
  private final int rank;
  private final int size;
  private final TCPStore store;
  private final Backend group;
  private long collectiveNanos;
  private long collectiveBytes;

  private C10dReplicas(int rank, int size, TCPStore store, Backend group) {
    this.rank = rank;
    this.size = size;
    this.store = store;
    this.group = group;
  }

  /**
   * Joins the job: rank 0 serves the rendezvous store at {@code port}, the others connect to it. The
   * backend follows {@link Torch#device()}: NCCL when it is a GPU, else Gloo; choose the device first.
   *
   * @param host the master's address (rank 0's machine)
   * @param network the interface name or host name Gloo binds to ("lo" on one machine); NCCL finds its
   *     own (NCCL_SOCKET_IFNAME)
   * @param timeoutMs how long to wait for the others, at the rendezvous and in every collective
   */
  public static C10dReplicas join(String host, int port, int rank, int size, String network, long timeoutMs) {
    if (size < 1 || rank < 0 || rank >= size) {
      throw new IllegalArgumentException("rank " + rank + " is outside a job of " + size + " processes");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
    }
    Torch.init();
    TCPStoreOptions options = new TCPStoreOptions().port((short) port).isServer(rank == 0)
        .timeout(new Milliseconds(timeoutMs));
    TCPStore store = new TCPStore(host, options);
    Backend group = Torch.device().cuda() ? nccl(store, rank, size, timeoutMs) : gloo(store, rank, size, network, timeoutMs);
    return new C10dReplicas(rank, size, store, group);
  }

  private static Backend gloo(TCPStore store, int rank, int size, String network, long timeoutMs) {
    ProcessGroupGloo.Options gloo = ProcessGroupGloo.Options.create(new Milliseconds(timeoutMs))
        .devices(new GlooDeviceVector(isInterface(network)
            ? ProcessGroupGloo.createDeviceForInterface(network) : ProcessGroupGloo.createDeviceForHostname(network)))
        .threads(1);
    return new ProcessGroupGloo(store, rank, size, gloo);
  }

  /** NCCL: only on the GPU build, where libjnitorch_nccl and the system's libnccl.so.2 are present. */
  private static Backend nccl(TCPStore store, int rank, int size, long timeoutMs) {
    org.bytedeco.pytorch.nccl.ProcessGroupNCCL group = new org.bytedeco.pytorch.nccl.ProcessGroupNCCL(store, rank, size);
    group.setTimeout(new Milliseconds(timeoutMs));
    return group;
  }

  /** The backend's name as c10d reports it ("gloo" or "nccl"). */
  public String backend() {
    return group.getBackendName().getString();
  }

  /** Whether {@code network} names one of this machine's network interfaces (else it is a host name or address). */
  private static boolean isInterface(String network) {
    try {
      return java.net.NetworkInterface.getByName(network) != null;
    } catch (java.net.SocketException e) {
      return false;
    }
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public void broadcast(List<Tensor> tensors) {
    try (PointerScope scope = new PointerScope()) {
      Tensor flat = flatten(tensors);
      timed(flat, () -> group.broadcast(new TensorVector(flat), new BroadcastOptions().rootRank(0))._wait());
      unflatten(flat, tensors);
    }
  }

  @Override
  public void average(List<Tensor> tensors) {
    try (PointerScope scope = new PointerScope()) {
      Tensor flat = flatten(tensors);
      timed(flat, () -> group.allreduce(new TensorVector(flat),
          new AllreduceOptions().reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM)))._wait());
      flat.div_(Torch.s(size));
      unflatten(flat, tensors);
    }
  }

  @Override
  public long[] broadcast(long[] values) {
    try (PointerScope scope = new PointerScope()) {
      Tensor t = Torch.longs(values);
      group.broadcast(new TensorVector(t), new BroadcastOptions().rootRank(0))._wait();
      return Torch.toLongs(t);
    }
  }

  /**
   * Rank 0 publishes {@code value} under {@code key} in the rendezvous store; the others wait for it
   * (up to the timeout) and get it. How workers learn the run's configuration without a shared disk.
   */
  public String exchange(String key, String value) {
    if (rank == 0) {
      store.set(key, new ByteVector(value.getBytes(StandardCharsets.UTF_8)));
      return value;
    }
    return new String(store.get(key).get(), StandardCharsets.UTF_8);
  }

  /** Seconds spent in collectives so far. */
  public double collectiveSeconds() {
    return collectiveNanos / 1e9;
  }

  /** Bytes sent through collectives so far (each replica's payload, before the algorithm's traffic). */
  public long collectiveBytes() {
    return collectiveBytes;
  }

  /** Waits until every replica reaches this point. */
  public void barrier() {
    group.barrier()._wait();
  }

  @Override
  public void close() {
    group.close();
    store.close();
  }

  private void timed(Tensor payload, Runnable collective) {
    long t0 = System.nanoTime();
    collective.run();
    if (payload.is_cuda()) { // NCCL's wait only orders the GPU stream: wait for the GPU itself, to time it
      torch.cuda_synchronize();
    }
    collectiveNanos += System.nanoTime() - t0;
    collectiveBytes += payload.numel() * Float.BYTES; // flatten() makes float32
  }

  /** One contiguous float32 copy of all tensors: a single collective per call, as DDP's buckets. */
  private static Tensor flatten(List<Tensor> tensors) {
    List<Tensor> parts = new ArrayList<>(tensors.size());
    for (Tensor t : tensors) {
      parts.add(t.detach().reshape(-1).to(torch.ScalarType.Float));
    }
    return torch.cat(new TensorVector(parts.toArray(new Tensor[0])));
  }

  private static void unflatten(Tensor flat, List<Tensor> tensors) {
    long offset = 0;
    try (org.bytedeco.pytorch.NoGradGuard guard = new org.bytedeco.pytorch.NoGradGuard()) {
      for (Tensor t : tensors) {
        long n = t.numel();
        t.copy_(flat.narrow(0, offset, n).view(t.sizes()));
        offset += n;
      }
    }
  }
}
