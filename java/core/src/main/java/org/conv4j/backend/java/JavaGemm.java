package org.conv4j.backend.java;

import java.util.Arrays;

/**
 * Single-precision GEMM on row-major arrays, C = A * B, shaped for C2's auto-vectoriser.
 *
 * <p>C2 (JDK 17) vectorises a loop only when it can order its array accesses, which in practice means every
 * stream indexed from 0 in its own array: a loop over {@code c[ci + j]} and {@code b[b0 + j]} with run-time
 * offsets stays scalar (measured about 4x slower). So each KC x NC block of B is copied into a panel of KC
 * separate row arrays, one row of C accumulates in a separate tile array, and the inner loop updates the tile
 * from four panel rows at a time (k unrolled by four: one tile load and store per four multiply-adds). The panel
 * (128 KiB) stays in L2 while every row of A sweeps it. Callers split work across threads themselves.
 */
final class JavaGemm {
  /** Columns of B per block. */
  private static final int NC = 256;
  /** Rows of B (depth) per block. */
  private static final int KC = 128;

  /**
   * Per thread: the packed panel of B (KC rows of NC) and, last, the tile accumulating one row of C (grown by
   * gemmRows for rows wider than NC).
   */
  private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[KC + 1][NC]);

  private JavaGemm() {}

  /** C[m x n] = A[m x k] * B[k x n], all row-major with leading dimensions lda, ldb, ldc (overwrites C). */
  static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c,
      int cOff, int ldc) {
    if (k == 0) {
      for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
      return;
    }
    float[][] panel = BUFFERS.get();
    float[] tile = panel[KC];
    for (int j0 = 0; j0 < n; j0 += NC) {
      int nc = Math.min(NC, n - j0);
      for (int p0 = 0; p0 < k; p0 += KC) {
        int kc = Math.min(KC, k - p0);
        for (int p = 0; p < kc; p++) System.arraycopy(b, bOff + (p0 + p) * ldb + j0, panel[p], 0, nc);
        for (int i = 0; i < m; i++) {
          int ci = cOff + i * ldc + j0;
          // later depth blocks resume from C's partial row: copies vectorise, a strided += would not
          if (p0 == 0) {
            Arrays.fill(tile, 0, nc, 0f);
          } else {
            System.arraycopy(c, ci, tile, 0, nc);
          }
          accumulate(tile, panel, 0, a, aOff + i * lda + p0, kc, nc);
          System.arraycopy(tile, 0, c, ci, nc);
        }
      }
    }
  }

  /**
   * gemm with B given as its k rows, each its own array of n floats (B[p][j] = bRows[bRow0 + p][j]): weights
   * prepared so once, as Winograd's, need no packing per call, which is most of the work when m is a few rows
   * (ResNet-18's 512-channel 7x7 layers at batch 1: 4 tiles). Depth blocks of KC rows stay in L2 while every row
   * of A sweeps them.
   */
  static void gemmRows(int m, int n, int k, float[] a, int aOff, int lda, float[][] bRows, int bRow0, float[] c,
      int cOff, int ldc) {
    float[][] buffers = BUFFERS.get();
    if (buffers[KC].length < n) buffers[KC] = new float[n];
    float[] tile = buffers[KC];
    if (k == 0) {
      for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
      return;
    }
    for (int p0 = 0; p0 < k; p0 += KC) {
      int kc = Math.min(KC, k - p0);
      for (int i = 0; i < m; i++) {
        int ci = cOff + i * ldc;
        if (p0 == 0) {
          Arrays.fill(tile, 0, n, 0f);
        } else {
          System.arraycopy(c, ci, tile, 0, n);
        }
        accumulate(tile, bRows, bRow0 + p0, a, aOff + i * lda + p0, kc, n);
        System.arraycopy(tile, 0, c, ci, n);
      }
    }
  }

  /**
   * Rows narrower than this go through copies of the update loops: C2 unrolls a loop no further than the trip
   * count it profiled, so update4 compiled while LeNet-5's 16-wide GEMMs ran stayed slow on ResNet-18's 256-wide
   * ones in the same JVM (about 15%).
   */
  private static final int NARROW = 32;

  /** tile[0, n) += sum over p < kc of a[ai + p] * rows[r0 + p][0, n), four rows per pass. */
  private static void accumulate(float[] tile, float[][] rows, int r0, float[] a, int ai, int kc, int n) {
    if (n < NARROW) {
      accumulateNarrow(tile, rows, r0, a, ai, kc, n);
      return;
    }
    int p = 0;
    for (; p + 3 < kc; p += 4) {
      update4(tile, rows[r0 + p], rows[r0 + p + 1], rows[r0 + p + 2], rows[r0 + p + 3], a[ai + p], a[ai + p + 1],
          a[ai + p + 2], a[ai + p + 3], n);
    }
    for (; p < kc; p++) update1(tile, rows[r0 + p], a[ai + p], n);
  }

  /** accumulate for n < NARROW, the same operations in their own methods (so with their own loop profiles). */
  private static void accumulateNarrow(float[] tile, float[][] rows, int r0, float[] a, int ai, int kc, int n) {
    int p = 0;
    for (; p + 3 < kc; p += 4) {
      update4Narrow(tile, rows[r0 + p], rows[r0 + p + 1], rows[r0 + p + 2], rows[r0 + p + 3], a[ai + p],
          a[ai + p + 1], a[ai + p + 2], a[ai + p + 3], n);
    }
    for (; p < kc; p++) update1Narrow(tile, rows[r0 + p], a[ai + p], n);
  }

  private static void update4Narrow(float[] t, float[] r0, float[] r1, float[] r2, float[] r3, float a0, float a1,
      float a2, float a3, int n) {
    for (int j = 0; j < n; j++) t[j] += a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
  }

  private static void update1Narrow(float[] t, float[] r0, float a0, int n) {
    for (int j = 0; j < n; j++) t[j] += a0 * r0[j];
  }

  /** t += a0 * r0 + a1 * r1 + a2 * r2 + a3 * r3 over [0, n). */
  private static void update4(float[] t, float[] r0, float[] r1, float[] r2, float[] r3, float a0, float a1,
      float a2, float a3, int n) {
    for (int j = 0; j < n; j++) t[j] += a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
  }

  private static void update1(float[] t, float[] r0, float a0, int n) {
    for (int j = 0; j < n; j++) t[j] += a0 * r0[j];
  }
}
