package consumer;

import java.util.Arrays;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.BackendKind;
import org.conv4j.backend.Backends;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Conv2dSpec;

/** What a user writes: one conv2d on the native backend, printing the backend it used. */
public final class ConsumerMain {
  public static void main(String[] args) {
    System.out.println(run());
  }

  /** Runs a 3x3 conv of a 1x2x7x7 ramp with all-ones weights; returns "backend=<name> output=<shape> sum=<s>". */
  public static String run() {
    Backend backend = Backends.get(BackendKind.NATIVE);
    Conv2dSpec spec = Conv2dSpec.builder(2, 4, 3).padding(1).bias(false).build();
    float[] x = new float[2 * 7 * 7];
    for (int i = 0; i < x.length; i++) x[i] = i % 7;
    float[] w = new float[4 * 2 * 3 * 3];
    Arrays.fill(w, 1f);
    try (Conv2dPlan plan = backend.conv2d(spec, 7, 7, w, null)) {
      Tensor y = plan.run(Tensor.of(x, 1, 2, 7, 7));
      double sum = 0;
      for (float v : y.data()) sum += v;
      return "backend=" + backend.name() + " output=" + Arrays.toString(y.shape()) + " sum=" + sum;
    }
  }
}
