package io.jdiffusion.nn.vae;

import io.jdiffusion.nn.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Tiled decoding and encoding as diffusers' {@code AutoencoderKL.tiled_decode} / {@code _tiled_encode}
 * compute them (autoencoder_kl.py): the input is cut into square tiles that overlap by
 * {@code overlap} of a tile, each tile goes through the network alone, and each output tile is blended
 * with the one above ({@code blend_v}) and the one to its left ({@code blend_h}), row by row:
 *
 * <pre>b[.., y, :] = a[.., e - blend + y, :] (1 - y / blend) + b[.., y, :] y / blend,  y &lt; blend</pre>
 *
 * a being the neighbouring output tile as already blended (diffusers blends in place), then cropped to
 * the tile size minus the blend width, and the crops concatenated. Memory is that of one tile through
 * the network plus all output tiles.
 *
 * @param sampleTile tile size in pixels (diffusers' tile_sample_min_size)
 * @param latentTile tile size in latents (tile_latent_min_size)
 * @param overlap fraction of a tile shared with its neighbour (tile_overlap_factor)
 */
public record Tiling(int sampleTile, int latentTile, double overlap) {
  public Tiling {
    if (sampleTile < 1 || latentTile < 1) {
      throw new IllegalArgumentException("tile sizes must be positive, got " + sampleTile + " px and " + latentTile
          + " latents");
    }
    if (!(overlap >= 0 && overlap < 1)) {
      throw new IllegalArgumentException("tile overlap must be in [0, 1), got " + overlap);
    }
  }

  /**
   * diffusers' defaults after {@code enable_tiling()}: tiles of sample_size pixels, sample_size /
   * 2^(levels - 1) latents, overlapping by a quarter.
   */
  public static Tiling defaults(AutoencoderKLConfig c) {
    return new Tiling(c.sampleSize(), (int) (c.sampleSize() / (double) c.downscale()), 0.25);
  }

  /** Tiled decode of latents z [B, C, h, w] with {@code decodeTile} = post_quant_conv then the decoder. */
  Tensor decode(Tensor z, UnaryOperator<Tensor> decodeTile) {
    int blend = (int) (sampleTile * overlap);
    return run(z, latentTile, (int) (latentTile * (1 - overlap)), blend, sampleTile - blend, decodeTile);
  }

  /** Tiled encode of images x [B, C, H, W] with {@code encodeTile} = the encoder then quant_conv; the moments. */
  Tensor encode(Tensor x, UnaryOperator<Tensor> encodeTile) {
    int blend = (int) (latentTile * overlap);
    return run(x, sampleTile, (int) (sampleTile * (1 - overlap)), blend, latentTile - blend, encodeTile);
  }

  private static Tensor run(Tensor in, int tile, int stride, int blend, int limit, UnaryOperator<Tensor> net) {
    if (stride < 1) {
      throw new IllegalArgumentException("tiles of " + tile + " overlapping by that much never advance");
    }
    return Torch.scoped(() -> {
      long height = in.size(2);
      long width = in.size(3);
      List<List<Tensor>> rows = new ArrayList<>();
      for (long i = 0; i < height; i += stride) {
        List<Tensor> row = new ArrayList<>();
        for (long j = 0; j < width; j += stride) {
          Tensor t = in.narrow(2, i, Math.min(tile, height - i)).narrow(3, j, Math.min(tile, width - j));
          row.add(net.apply(t));
        }
        rows.add(row);
      }
      List<Tensor> resultRows = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        List<Tensor> row = rows.get(i);
        List<Tensor> crops = new ArrayList<>();
        for (int j = 0; j < row.size(); j++) {
          Tensor t = row.get(j);
          if (i > 0) {
            t = blend(rows.get(i - 1).get(j), t, blend, 2);
          }
          if (j > 0) {
            t = blend(row.get(j - 1), t, blend, 3);
          }
          row.set(j, t); // diffusers blends in place: later neighbours see the blended tile
          crops.add(t.narrow(2, 0, Math.min(limit, t.size(2))).narrow(3, 0, Math.min(limit, t.size(3))));
        }
        resultRows.add(Torch.cat(3, crops.toArray(new Tensor[0])));
      }
      return Torch.cat(2, resultRows.toArray(new Tensor[0]));
    });
  }

  /**
   * diffusers' blend_v (dim 2) / blend_h (dim 3): the first {@code extent} rows (columns) of {@code b}
   * fade from the last ones of {@code a} into {@code b}'s own.
   */
  static Tensor blend(Tensor a, Tensor b, int extent, int dim) {
    int e = (int) Math.min(Math.min(a.size(dim), b.size(dim)), extent);
    if (e <= 0) {
      return b;
    }
    float[] wb = new float[e];
    float[] wa = new float[e];
    for (int y = 0; y < e; y++) {
      wa[y] = (float) (1 - (double) y / e); // the Python float each row is multiplied by, as float32
      wb[y] = (float) ((double) y / e);
    }
    long[] shape = dim == 2 ? new long[] {1, 1, e, 1} : new long[] {1, 1, 1, e};
    Tensor head = a.narrow(dim, a.size(dim) - e, e).mul(Torch.tensor(wa, shape).to(a.scalar_type()))
        .add(b.narrow(dim, 0, e).mul(Torch.tensor(wb, shape).to(b.scalar_type())));
    return b.size(dim) == e ? head : Torch.cat(dim, head, b.narrow(dim, e, b.size(dim) - e));
  }
}
