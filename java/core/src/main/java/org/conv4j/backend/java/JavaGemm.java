package org.conv4j.backend.java;

/** Single-precision GEMM on row-major arrays: C = A * B. Callers split work across threads themselves. */
final class JavaGemm {
  private JavaGemm() {}

  /**
   * C[m x n] = A[m x k] * B[k x n], all row-major with leading dimensions lda, ldb, ldc (overwrites C).
   */
  static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c,
      int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      java.util.Arrays.fill(c, ci, ci + n, 0f);
      for (int p = 0; p < k; p++) {
        float aip = a[aOff + i * lda + p];
        int bp = bOff + p * ldb;
        for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
      }
    }
  }
}
