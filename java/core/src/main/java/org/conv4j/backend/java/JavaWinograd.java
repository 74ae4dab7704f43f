package org.conv4j.backend.java;

import java.util.Arrays;
import org.conv4j.spec.Activation;

/**
 * conv2d WINOGRAD in Java: F(4x4, 3x3) for 3x3 stride-1 dilation-1 convolutions with zero padding (the caller pads
 * other modes first), the same algorithm as native/src/conv2d_winograd_avx2.cpp.
 *
 * <p>Each 4x4 output tile comes from a 6x6 input tile: Y = A^T [(G g G^T) .* (B^T d B)] A. The 36 weight matrices
 * U_t = (G g G^T)[t] are made once; a run works on chunks of whole tile rows of one group over the batch: the input
 * transform writes V_t [tiles][icg], {@link JavaGemm} gives M_t = V_t U_t^T [tiles][ocg] (a quarter of the direct
 * multiplies; output channels as the vectorised dimension, as a 14x14 map has only 16 tiles), and the output
 * transform writes the tile rows' outputs, vectorised over M's contiguous dimension. The input transform runs its
 * column pass over a whole row of tiles at once (vectorised).
 */
final class JavaWinograd {
  /**
   * Tiles per output-transform pass when the GEMMs run over tiles: its vector loops run over them (one tile row,
   * 14 tiles on ResNet's 56x56 maps, left most of each pass to scalar loop tails); work 40 * LANES floats in L1.
   */
  private static final int LANES = 128;
  /** Tiles per chunk: GEMMs wide enough for JavaGemm's vector loops, V and M about an L2. */
  private static final int CHUNK_TILES = 128;
  /** Tiles per chunk when the GEMMs run over tiles: the tiles are then JavaGemm's vector dimension. */
  private static final int CHUNK_TILES_WIDE = 512;

  /** Per thread: V (36 * icg * tiles) and M (36 * ocg * tiles), grown on demand, and the transforms' work space. */
  private static final ThreadLocal<float[][]> BUFFERS =
      ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

  private final int groups, cig, cog, h, w, outH, outW, padT, padL, tw, th;
  /**
   * The GEMMs' vector dimension: output channels (M_t = V_t U_t^T, [tile][oc]) or, when an image has more tiles
   * than the layer has output channels per group (ResNet's 64-channel 56x56 layers), tiles (M_t = U_t V_t,
   * [oc][tile]): JavaGemm's loops are several times faster over 256 columns than over 64.
   */
  private final boolean overTiles;
  private final float[][] u; // [g * 36 + t]: U_t of group g, row-major [cog][cig] if overTiles, else [cig][cog]
  /** Instead of u when the GEMMs run over more than 256 output channels: U_t's rows [g * 36 + t][ic][oc]. */
  private final float[][][] uRows;

  /** weight: OIHW 3x3; h, w: the (already padded by mode) input; padT, padL: the zero padding still implied. */
  JavaWinograd(float[] weight, int groups, int cig, int cog, int h, int w, int outH, int outW, int padT, int padL) {
    this.groups = groups;
    this.cig = cig;
    this.cog = cog;
    this.h = h;
    this.w = w;
    this.outH = outH;
    this.outW = outW;
    this.padT = padT;
    this.padL = padL;
    tw = (outW + 3) / 4;
    th = (outH + 3) / 4;
    overTiles = th * tw > cog;
    float[][] flat = transformWeights(weight, groups, cig, cog, overTiles);
    if (!overTiles && cog > 256) {
      uRows = new float[groups * 36][cig][];
      for (int gt = 0; gt < groups * 36; gt++) {
        for (int ic = 0; ic < cig; ic++) uRows[gt][ic] = Arrays.copyOfRange(flat[gt], ic * cog, (ic + 1) * cog);
      }
      u = null;
    } else {
      uRows = null;
      u = flat;
    }
  }

  /** G of F(4x4, 3x3) (Lavin and Gray), as used by the native kernel. */
  private static final double[][] G = {{1.0 / 4, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
      {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};

  private static float[][] transformWeights(float[] weight, int groups, int cig, int cog, boolean ocRows) {
    float[][] u = new float[groups * 36][cog * cig];
    double[][] gk = new double[6][3];
    for (int g = 0; g < groups; g++) {
      for (int oc = 0; oc < cog; oc++) {
        for (int ic = 0; ic < cig; ic++) {
          int k = ((g * cog + oc) * cig + ic) * 9;
          for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 3; j++) {
              gk[i][j] = G[i][0] * weight[k + j] + G[i][1] * weight[k + 3 + j] + G[i][2] * weight[k + 6 + j];
            }
          }
          for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 6; j++) {
              double v = gk[i][0] * G[j][0] + gk[i][1] * G[j][1] + gk[i][2] * G[j][2];
              u[g * 36 + i * 6 + j][ocRows ? oc * cig + ic : ic * cog + oc] = (float) v;
            }
          }
        }
      }
    }
    return u;
  }

  /**
   * y = act(conv(x) + bias + residual) for `batch` images; residual may be y itself at the same offset (each
   * output is read from it just before being written).
   */
  void run(JavaBackend backend, float[] x, int xOff, float[] y, int yOff, int batch, float[] bias, float[] res,
      int rOff, Activation act) {
    // chunks of whole tile rows counted over the batch (image n's row tr is row n * th + tr), so small maps put
    // several images in one GEMM; enough chunks for every thread, each at most CHUNK_TILES tiles
    int rowsAll = batch * th;
    int rowsPerChunk = Math.max(1, Math.min(rowsAll, (overTiles ? CHUNK_TILES_WIDE : CHUNK_TILES) / tw));
    int want = (backend.threads() + groups - 1) / groups;
    rowsPerChunk = Math.max(1, Math.min(rowsPerChunk, (rowsAll + want - 1) / want));
    int chunks = (rowsAll + rowsPerChunk - 1) / rowsPerChunk;
    int rpc = rowsPerChunk;
    backend.parallelFor(groups * chunks, (lo, hi) -> {
      float[][] buf = BUFFERS.get();
      int ld = rpc * tw;
      if (buf[0].length < 36 * cig * ld) buf[0] = new float[36 * cig * ld];
      if (buf[1].length < 36 * cog * ld) buf[1] = new float[36 * cog * ld];
      int work = Math.max(40 * Math.max(cog, LANES), 12 * (4 * tw + 2));
      if (buf[2].length < work) buf[2] = new float[work];
      float[] v = buf[0], m = buf[1], tile = buf[2];
      for (int unit = lo; unit < hi; unit++) {
        int g = unit / chunks, q0 = (unit % chunks) * rpc, q1 = Math.min(rowsAll, q0 + rpc), tiles = (q1 - q0) * tw;
        for (int n = q0 / th; n * th < q1; n++) { // the chunk's rows in image n: [a, b) of the batch's rows
          int a = Math.max(q0, n * th), b = Math.min(q1, (n + 1) * th);
          inputTransform(x, xOff + (n * groups + g) * cig * h * w, a - n * th, b - n * th, (a - q0) * tw, v, tiles,
              tile);
        }
        int vs = cig * tiles, ms = cog * tiles; // V_t at v[t * vs], M_t at m[t * ms]
        for (int t = 0; t < 36; t++) {
          if (overTiles) {
            JavaGemm.gemm(cog, tiles, cig, u[g * 36 + t], 0, cig, v, t * vs, tiles, m, t * ms,
                tiles);
          } else if (uRows != null) {
            JavaGemm.gemmRows(tiles, cog, cig, v, t * vs, cig, uRows[g * 36 + t], 0, m, t * ms, cog);
          } else {
            JavaGemm.gemm(tiles, cog, cig, v, t * vs, cig, u[g * 36 + t], 0, cog, m, t * ms, cog);
          }
        }
        for (int n = q0 / th; n * th < q1; n++) {
          int a = Math.max(q0, n * th), b = Math.min(q1, (n + 1) * th);
          int image = (n * groups + g) * cog * outH * outW;
          outputTransform(m, tiles, a - n * th, b - n * th, (a - q0) * tw, y, yOff + image, bias, g * cog, res,
              rOff + image, act, tile);
        }
      }
    });
  }

  /**
   * V_t = (B^T d B)[t] for the tile rows [tr0, tr1) of one image's group, its tiles from column col0: V[t][tile][ic]
   * with channels innermost (a tile's 36 stores per channel land next to the previous channel's, and the 6 input
   * rows of every channel stay in L1 from one tile to the next), or V[t][ic][tile] when the GEMMs run over tiles
   * (36 streams of consecutive tiles). Per channel and tile row: the six input rows the row of tiles reads,
   * zero-extended (no bounds checks per tap at the borders), then B^T d down every column at once (unit stride,
   * vectorised), then d B per tile.
   */
  private void inputTransform(float[] x, int xOff, int tr0, int tr1, int col0, float[] v, int tiles, float[] d) {
    int tStride = cig * tiles;
    int span = 4 * tw + 2, iw0 = -padL, a = Math.max(0, iw0), b = Math.min(w, iw0 + span);
    int tileStride = overTiles ? 1 : cig; // V's distance between neighbouring tiles of one channel
    // [tile][ic]: channels inner (V's stores for one tile adjacent); [ic][tile]: tile rows inner (V's 36 streams
    // each written from end to end, as V outgrows L2 there)
    int rows = tr1 - tr0, units = rows * cig;
    for (int unit = 0; unit < units; unit++) {
      int tr = tr0 + (overTiles ? unit % rows : unit / cig), ic = overTiles ? unit / rows : unit % cig;
      int plane = xOff + ic * h * w;
      for (int r = 0; r < 6; r++) {
        int ih = 4 * tr - padT + r, ro = r * span;
        if (ih < 0 || ih >= h || a >= b) {
          Arrays.fill(d, ro, ro + span, 0f);
        } else {
          Arrays.fill(d, ro, ro + a - iw0, 0f);
          System.arraycopy(x, plane + ih * w + a, d, ro + a - iw0, b - a);
          Arrays.fill(d, ro + b - iw0, ro + span, 0f);
        }
      }
      columns(d, span);
      int tile0 = col0 + (tr - tr0) * tw;
      int o = overTiles ? ic * tiles + tile0 : tile0 * cig + ic;
      for (int tc = 0; tc < tw; tc++) {
        for (int k = 0; k < 6; k++) {
          inputRow(d, (6 + k) * span + 4 * tc, 1, v, o + tc * tileStride + k * 6 * tStride, tStride);
        }
      }
    }
  }

  /** d[(6 + k) * span + j] = (B^T col_j)[k] for the columns j of the six rows d[r * span + j], as inputRow does. */
  private static void columns(float[] d, int span) {
    int s1 = span, s2 = 2 * span, s3 = 3 * span, s4 = 4 * span, s5 = 5 * span, o = 6 * span;
    for (int j = 0; j < span; j++) {
      float d0 = d[j], d1 = d[s1 + j], d2 = d[s2 + j], d3 = d[s3 + j], d4 = d[s4 + j], d5 = d[s5 + j];
      d[o + j] = 4 * d0 - 5 * d2 + d4;
      d[o + s1 + j] = -4 * d1 - 4 * d2 + d3 + d4;
      d[o + s2 + j] = 4 * d1 - 4 * d2 - d3 + d4;
      d[o + s3 + j] = -2 * d1 - d2 + 2 * d3 + d4;
      d[o + s4 + j] = 2 * d1 - d2 - 2 * d3 + d4;
      d[o + s5 + j] = 4 * d1 - 5 * d3 + d5;
    }
  }

  /** out[k * os] = (B^T in)[k] for the 6 values in[i * is]. */
  private static void inputRow(float[] in, int io, int is, float[] out, int oo, int os) {
    float d0 = in[io], d1 = in[io + is], d2 = in[io + 2 * is], d3 = in[io + 3 * is], d4 = in[io + 4 * is],
        d5 = in[io + 5 * is];
    out[oo] = 4 * d0 - 5 * d2 + d4;
    out[oo + os] = -4 * d1 - 4 * d2 + d3 + d4;
    out[oo + 2 * os] = 4 * d1 - 4 * d2 - d3 + d4;
    out[oo + 3 * os] = -2 * d1 - d2 + 2 * d3 + d4;
    out[oo + 4 * os] = 2 * d1 - d2 - 2 * d3 + d4;
    out[oo + 5 * os] = 4 * d1 - 5 * d3 + d5;
  }

  /**
   * The tile rows [tr0, tr1) of the group's outputs from M, with the epilogue. M's contiguous dimension (channels
   * when it is [t][tile][oc], a tile row's tiles when [t][oc][tile]) is transformed as vector lanes (outputLanes,
   * loops C2 vectorises), then each lane's 4x4 block is stored; the activation then runs over each channel's rows.
   * work: 40 * max(cog, LANES) floats.
   */
  private void outputTransform(float[] m, int tiles, int tr0, int tr1, int col0, float[] y, int yOff, float[] bias,
      int oc0, float[] res, int rOff, Activation act, float[] work) {
    int tStride = cog * tiles, plane = outH * outW;
    if (overTiles) {
      // the tile rows' tiles are consecutive in M: blocks of LANES of them, across tile rows (a row has few)
      int count = (tr1 - tr0) * tw;
      for (int oc = 0; oc < cog; oc++) {
        float b = bias == null ? 0f : bias[oc0 + oc];
        for (int q0 = 0; q0 < count; q0 += LANES) {
          int n = Math.min(LANES, count - q0);
          outputLanes(m, oc * tiles + col0 + q0, tStride, n, work);
          for (int l = 0; l < n; l++) {
            int q = q0 + l;
            store(work, 24 * n + l, n, tr0 + q / tw, q % tw, b, y, yOff + oc * plane, res, rOff + oc * plane);
          }
        }
      }
    } else {
      for (int tr = tr0; tr < tr1; tr++) {
        for (int tc = 0; tc < tw; tc++) {
          outputLanes(m, (col0 + (tr - tr0) * tw + tc) * cog, tStride, cog, work);
          for (int oc = 0; oc < cog; oc++) {
            store(work, 24 * cog + oc, cog, tr, tc, bias == null ? 0f : bias[oc0 + oc], y, yOff + oc * plane, res,
                rOff + oc * plane);
          }
        }
      }
    }
    if (act.kind() != Activation.Kind.NONE) {
      int oh0 = 4 * tr0, count = (Math.min(outH, 4 * tr1) - oh0) * outW;
      for (int oc = 0; oc < cog; oc++) JavaElementwise.activationOfSums(act, y, yOff + oc * plane + oh0 * outW, count);
    }
  }

  /**
   * A^T M A for n lanes: lane j's M_t is m[mo + t * tStride + j]; work[24n + (4r + c) * n + j] gets its output (r, c),
   * after A^T M in work[(6k + c) * n + j]. Per lane the same operations in the same order as one tile at a time.
   */
  private static void outputLanes(float[] m, int mo, int tStride, int n, float[] work) {
    int is = 6 * tStride;
    for (int c = 0; c < 6; c++) {
      int i0 = mo + c * tStride, t0 = c * n, t1 = (6 + c) * n, t2 = (12 + c) * n, t3 = (18 + c) * n;
      for (int j = 0; j < n; j++) {
        float m0 = m[i0 + j], m1 = m[i0 + is + j], m2 = m[i0 + 2 * is + j], m3 = m[i0 + 3 * is + j],
            m4 = m[i0 + 4 * is + j], m5 = m[i0 + 5 * is + j];
        float p12 = m1 + m2, d12 = m1 - m2, p34 = m3 + m4, d34 = m3 - m4;
        work[t0 + j] = m0 + p12 + p34;
        work[t1 + j] = d12 + 2 * d34;
        work[t2 + j] = p12 + 4 * p34;
        work[t3 + j] = d12 + 8 * d34 + m5;
      }
    }
    for (int r = 0; r < 4; r++) {
      int i0 = 6 * r * n, o0 = 24 * n + 4 * r * n;
      for (int j = 0; j < n; j++) {
        float m0 = work[i0 + j], m1 = work[i0 + n + j], m2 = work[i0 + 2 * n + j], m3 = work[i0 + 3 * n + j],
            m4 = work[i0 + 4 * n + j], m5 = work[i0 + 5 * n + j];
        float p12 = m1 + m2, d12 = m1 - m2, p34 = m3 + m4, d34 = m3 - m4;
        work[o0 + j] = m0 + p12 + p34;
        work[o0 + n + j] = d12 + 2 * d34;
        work[o0 + 2 * n + j] = p12 + 4 * p34;
        work[o0 + 3 * n + j] = d12 + 8 * d34 + m5;
      }
    }
  }

  /** Output tile (tr, tc) of one channel plane, value (r, c) at o[oo + (4r + c) * os], plus bias and residual. */
  private void store(float[] o, int oo, int os, int tr, int tc, float b, float[] y, int yc, float[] res, int rc) {
    int rows = Math.min(4, outH - 4 * tr), cols = Math.min(4, outW - 4 * tc);
    for (int r = 0; r < rows; r++) {
      int p = (4 * tr + r) * outW + 4 * tc;
      for (int c = 0; c < cols; c++) {
        float val = o[oo + (4 * r + c) * os] + b;
        y[yc + p + c] = res == null ? val : val + res[rc + p + c];
      }
    }
  }
}
