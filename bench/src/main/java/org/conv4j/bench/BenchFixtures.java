package org.conv4j.bench;

import java.util.SplittableRandom;
import org.conv4j.backend.Backend;
import org.conv4j.backend.Backends;

/** What every benchmark's setup needs: a backend set to a thread count, and reproducible random data. */
public final class BenchFixtures {
  private BenchFixtures() {}

  /** The backend named "native" or "java", set to use the given number of threads. */
  public static Backend backend(String name, int threads) {
    Backend b = Backends.get(name);
    b.setThreads(threads);
    return b;
  }

  /** n floats uniform in [-1, 1), the same for the same seed (weights and inputs of realistic magnitude). */
  public static float[] random(long n, long seed) {
    if (n < 0 || n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("n must be in [0, " + (Integer.MAX_VALUE - 8) + "], got " + n);
    }
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[(int) n];
    for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
    return a;
  }
}
