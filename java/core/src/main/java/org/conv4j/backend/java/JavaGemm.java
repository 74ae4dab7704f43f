package org.conv4j.backend.java;

import java.util.Arrays;

/**
 * Single-precision GEMM on row-major arrays, C = A * B, shaped for C2's auto-vectoriser.
 *
 * <p>C2 (JDK 17) vectorises a loop only when it can order its array accesses, which in practice means every
 * stream indexed from 0 in its own array: a loop over {@code c[ci + j]} and {@code b[b0 + j]} with run-time
 * offsets stays scalar (measured about 4x slower). So each KC x NC block of B is copied into a panel of KC
 * separate row arrays, rows of C accumulate in separate tile arrays, and the inner loop updates a tile from four
 * panel rows at a time (k unrolled by four: one tile load and store per four multiply-adds). The panel (128 KiB)
 * stays in L2; MB rows of C go through it together, each group of four panel rows updating all MB tiles while it
 * is in L1. One row at a time, the panel had streamed from L2 once per row of C, and the loop waited on L2: one
 * thread, GFLOP/s, m x n x k: 4 x 512 x 512 32 -> 45, 16 x 256 x 256 35 -> 42, 64 x 256 x 64 32 -> 42; whole
 * models on the Java backend, one thread, old and new classes alternated in one JVM (median ms): ResNet-18 74.1 ->
 * 67.4, MobileNetV2 41.5 -> 37.7. Four rows of C per group ran the same as eight. (Two rows of C in one loop,
 * sharing its loads, C2 left scalar.) Callers split work across threads themselves.
 */
final class JavaGemm {
  /** Columns of B per block. */
  private static final int NC = 256;
  /** Rows of B (depth) per block. */
  private static final int KC = 128;
  /** Rows of C per pass over a block of B. */
  private static final int MB = 8;

  /**
   * Per thread: the packed panel of B (KC rows of NC) and, last, the MB tiles accumulating rows of C (grown by
   * gemmRows for rows wider than NC).
   */
  private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[KC + MB][NC]);

  private JavaGemm() {}

  /** C[m x n] = A[m x k] * B[k x n], all row-major with leading dimensions lda, ldb, ldc (overwrites C). */
  static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c,
      int cOff, int ldc) {
    if (k == 0) {
      for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
      return;
    }
    float[][] buffers = BUFFERS.get();
    for (int j0 = 0; j0 < n; j0 += NC) {
      int nc = Math.min(NC, n - j0);
      for (int p0 = 0; p0 < k; p0 += KC) {
        int kc = Math.min(KC, k - p0);
        for (int p = 0; p < kc; p++) System.arraycopy(b, bOff + (p0 + p) * ldb + j0, buffers[p], 0, nc);
        for (int i0 = 0; i0 < m; i0 += MB) {
          int mb = Math.min(MB, m - i0);
          accumulateRows(buffers, buffers, 0, a, aOff + i0 * lda + p0, lda, kc, c, cOff + i0 * ldc + j0, ldc, mb,
              nc, p0 > 0);
        }
      }
    }
  }

  /**
   * gemm with B given as its k rows, each its own array of n floats (B[p][j] = bRows[bRow0 + p][j]): weights
   * prepared so once, as Winograd's, need no packing per call, which is most of the work when m is a few rows
   * (ResNet-18's 512-channel 7x7 layers at batch 1: 4 tiles). Depth blocks of KC rows stay in L2 while the groups
   * of MB rows of A sweep them.
   */
  static void gemmRows(int m, int n, int k, float[] a, int aOff, int lda, float[][] bRows, int bRow0, float[] c,
      int cOff, int ldc) {
    if (k == 0) {
      for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
      return;
    }
    float[][] buffers = BUFFERS.get();
    for (int r = 0; r < MB; r++) {
      if (buffers[KC + r].length < n) buffers[KC + r] = new float[n];
    }
    for (int p0 = 0; p0 < k; p0 += KC) {
      int kc = Math.min(KC, k - p0);
      for (int i0 = 0; i0 < m; i0 += MB) {
        int mb = Math.min(MB, m - i0);
        accumulateRows(buffers, bRows, bRow0 + p0, a, aOff + i0 * lda + p0, lda, kc, c, cOff + i0 * ldc, ldc, mb, n,
            p0 > 0);
      }
    }
  }

  /**
   * Rows [0, mb) of C (row r at c[ci + r * ldc], n floats) += their rows of A (row r from a[ai + r * lda], kc
   * values) times rows r0 .. r0 + kc - 1 of B; C starts from zero unless resume. The tiles are buffers[KC + r].
   */
  private static void accumulateRows(float[][] buffers, float[][] rows, int r0, float[] a, int ai, int lda, int kc,
      float[] c, int ci, int ldc, int mb, int n, boolean resume) {
    for (int r = 0; r < mb; r++) {
      // later depth blocks resume from C's partial row: copies vectorise, a strided += would not
      if (resume) {
        System.arraycopy(c, ci + r * ldc, buffers[KC + r], 0, n);
      } else {
        Arrays.fill(buffers[KC + r], 0, n, 0f);
      }
    }
    if (n < NARROW) {
      accumulateNarrow(buffers, mb, rows, r0, a, ai, lda, kc, n);
    } else {
      accumulate(buffers, mb, rows, r0, a, ai, lda, kc, n);
    }
    for (int r = 0; r < mb; r++) System.arraycopy(buffers[KC + r], 0, c, ci + r * ldc, n);
  }

  /**
   * t[0, n) += sum over i < count of a[i] * rows[i][0, n), four rows per pass: the taps of a depthwise output row
   * ({@link JavaDepthwise}).
   */
  static void axpy(float[] t, float[][] rows, float[] a, int count, int n) {
    int i = 0;
    if (n < NARROW) {
      for (; i + 3 < count; i += 4) {
        update4Narrow(t, rows[i], rows[i + 1], rows[i + 2], rows[i + 3], a[i], a[i + 1], a[i + 2], a[i + 3], n);
      }
      for (; i < count; i++) update1Narrow(t, rows[i], a[i], n);
    } else {
      for (; i + 3 < count; i += 4) {
        update4(t, rows[i], rows[i + 1], rows[i + 2], rows[i + 3], a[i], a[i + 1], a[i + 2], a[i + 3], n);
      }
      for (; i < count; i++) update1(t, rows[i], a[i], n);
    }
  }

  /**
   * Rows narrower than this go through copies of the update loops: C2 unrolls a loop no further than the trip
   * count it profiled, so update4 compiled while LeNet-5's 16-wide GEMMs ran stayed slow on ResNet-18's 256-wide
   * ones in the same JVM (about 15%).
   */
  private static final int NARROW = 32;

  /**
   * tiles[KC + r][0, n) += sum over p < kc of a[ai + r * lda + p] * rows[r0 + p][0, n) for r < mb, four rows of B
   * per pass, each four updating every tile while they are in L1.
   */
  private static void accumulate(float[][] tiles, int mb, float[][] rows, int r0, float[] a, int ai, int lda, int kc,
      int n) {
    int p = 0;
    for (; p + 3 < kc; p += 4) {
      float[] b0 = rows[r0 + p], b1 = rows[r0 + p + 1], b2 = rows[r0 + p + 2], b3 = rows[r0 + p + 3];
      for (int r = 0, at = ai + p; r < mb; r++, at += lda) {
        update4(tiles[KC + r], b0, b1, b2, b3, a[at], a[at + 1], a[at + 2], a[at + 3], n);
      }
    }
    for (; p < kc; p++) {
      for (int r = 0; r < mb; r++) update1(tiles[KC + r], rows[r0 + p], a[ai + r * lda + p], n);
    }
  }

  /** accumulate for n < NARROW, the same operations in their own methods (so with their own loop profiles). */
  private static void accumulateNarrow(float[][] tiles, int mb, float[][] rows, int r0, float[] a, int ai, int lda,
      int kc, int n) {
    int p = 0;
    for (; p + 3 < kc; p += 4) {
      float[] b0 = rows[r0 + p], b1 = rows[r0 + p + 1], b2 = rows[r0 + p + 2], b3 = rows[r0 + p + 3];
      for (int r = 0, at = ai + p; r < mb; r++, at += lda) {
        update4Narrow(tiles[KC + r], b0, b1, b2, b3, a[at], a[at + 1], a[at + 2], a[at + 3], n);
      }
    }
    for (; p < kc; p++) {
      for (int r = 0; r < mb; r++) update1Narrow(tiles[KC + r], rows[r0 + p], a[ai + r * lda + p], n);
    }
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
