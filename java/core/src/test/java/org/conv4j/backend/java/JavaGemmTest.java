package org.conv4j.backend.java;

import static org.conv4j.backend.java.TestArrays.assertExact;
import static org.conv4j.backend.java.TestArrays.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JavaGemmTest {
  @Test
  void twoByTwoByHand() {
    // [[1,2],[3,4]] * [[5,6],[7,8]] = [[19,22],[43,50]]
    float[] c = {-1, -1, -1, -1};
    JavaGemm.gemm(2, 2, 2, new float[] {1, 2, 3, 4}, 0, 2, new float[] {5, 6, 7, 8}, 0, 2, c, 0, 2);
    assertExact(new float[] {19, 22, 43, 50}, c, "2x2");
  }

  /**
   * Sizes straddle the column block (256), the depth block (128), the depth unroll (4), the rows of C updated
   * together (8) and the width below which rows take the narrow copies of the update loops (32), and k = 0
   * zero-fills C; A, B and C sit at offsets inside
   * larger arrays with leading dimensions wider than the rows, whose padding must stay untouched.
   */
  @ParameterizedTest
  @CsvSource({"1, 1, 1", "3, 5, 0", "3, 5, 7", "5, 257, 129", "17, 300, 131", "2, 513, 260", "64, 256, 128",
      "7, 31, 3", "6, 32, 9", "9, 20, 133", "8, 40, 5"})
  void matchesTheTripleLoopWithOffsetsAndStrides(int m, int n, int k) {
    int lda = k + 3, ldb = n + 5, ldc = n + 2, aOff = 7, bOff = 11, cOff = 13;
    float[] a = random(m * 31L + n, aOff + m * lda);
    float[] b = random(k * 17L + n, bOff + k * ldb);
    float[] c = random(99, cOff + m * ldc + 4);
    float[] before = c.clone();
    JavaGemm.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0, mag = 0;
        for (int p = 0; p < k; p++) {
          double t = (double) a[aOff + i * lda + p] * b[bOff + p * ldb + j];
          s += t;
          mag += Math.abs(t);
        }
        assertEquals(s, c[cOff + i * ldc + j], 1e-6 * mag + 1e-7, "C[" + i + "][" + j + "]");
      }
      for (int j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
        assertEquals(before[cOff + i * ldc + j], c[cOff + i * ldc + j], "padding C[" + i + "][" + j + "]");
      }
    }
    for (int i = 0; i < cOff; i++) assertEquals(before[i], c[i], "before C at " + i);
  }

  /** gemmRows (B as separate row arrays, from row bRow0) gives gemm's result bit for bit, C's padding untouched. */
  @ParameterizedTest
  @CsvSource({"1, 1, 1", "3, 5, 0", "4, 512, 131", "5, 257, 129", "2, 9, 3", "16, 300, 260", "11, 40, 133",
      "9, 20, 135"})
  void gemmRowsMatchesGemm(int m, int n, int k) {
    int lda = k + 3, ldc = n + 2, aOff = 7, cOff = 13, bRow0 = 2;
    float[] a = random(m * 31L + n, aOff + m * lda);
    float[] b = random(k * 17L + n, k * n);
    float[][] rows = new float[bRow0 + k][];
    for (int p = 0; p < bRow0; p++) rows[p] = random(p, n); // rows before bRow0 must not be read
    for (int p = 0; p < k; p++) rows[bRow0 + p] = java.util.Arrays.copyOfRange(b, p * n, (p + 1) * n);
    float[] expected = random(99, cOff + m * ldc + 4), actual = expected.clone();
    JavaGemm.gemm(m, n, k, a, aOff, lda, b, 0, n, expected, cOff, ldc);
    JavaGemm.gemmRows(m, n, k, a, aOff, lda, rows, bRow0, actual, cOff, ldc);
    assertExact(expected, actual, "gemmRows " + m + "x" + n + "x" + k);
  }
}
