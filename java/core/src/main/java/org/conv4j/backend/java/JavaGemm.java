package org.conv4j.backend.java;

import java.util.Arrays;

/**
 * Single-precision GEMM on row-major arrays, C = A * B, written so that C2 auto-vectorises it: the innermost
 * loop is a unit-stride update of one row of C from four rows of B (k unrolled by four, so each C element is
 * loaded and stored once per four multiply-adds), and the j/k loops are blocked so the active block of B
 * (KC x NC floats) stays in L2 while every row of A sweeps it. Callers split work across threads themselves.
 */
final class JavaGemm {
  /** Columns of B per block. */
  private static final int NC = 256;
  /** Rows of B (depth) per block: 128 x 256 floats = 128 KiB of B reused by all rows of A. */
  private static final int KC = 128;

  private JavaGemm() {}

  /** C[m x n] = A[m x k] * B[k x n], all row-major with leading dimensions lda, ldb, ldc (overwrites C). */
  static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c,
      int cOff, int ldc) {
    for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
    for (int j0 = 0; j0 < n; j0 += NC) {
      int nc = Math.min(NC, n - j0);
      for (int p0 = 0; p0 < k; p0 += KC) {
        int pEnd = Math.min(k, p0 + KC);
        for (int i = 0; i < m; i++) {
          int ci = cOff + i * ldc + j0, ai = aOff + i * lda;
          int p = p0;
          for (; p + 3 < pEnd; p += 4) {
            update4(c, ci, b, bOff + p * ldb + j0, ldb, a[ai + p], a[ai + p + 1], a[ai + p + 2], a[ai + p + 3], nc);
          }
          for (; p < pEnd; p++) update1(c, ci, b, bOff + p * ldb + j0, a[ai + p], nc);
        }
      }
    }
  }

  /** c[ci..ci+n) += a0 * B row 0 + a1 * row 1 + a2 * row 2 + a3 * row 3, rows ldb apart from b0. */
  private static void update4(float[] c, int ci, float[] b, int b0, int ldb, float a0, float a1, float a2,
      float a3, int n) {
    int b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
    for (int j = 0; j < n; j++) {
      c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
    }
  }

  private static void update1(float[] c, int ci, float[] b, int b0, float a0, int n) {
    for (int j = 0; j < n; j++) c[ci + j] += a0 * b[b0 + j];
  }
}
