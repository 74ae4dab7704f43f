package org.conv4j.graph;

import org.conv4j.backend.Backend;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Activation;

/**
 * One executable step of a program: reads and writes workspace slots (every value starts at offset 0 of its slot's
 * array). Steps hold no per-run state, so one step serves concurrent runs on different workspaces. The kernel
 * steps (conv, plan, activation, softmax, add, copy) are here; memory-movement ops have their own classes.
 */
interface Step {
  void run(float[][] slots);

  /** One line for {@link PreparedModel#describe()}. */
  String describe();

  /** A conv2d plan, with the residual slot (or -1) fused into its epilogue; residual == y: added in place. */
  record Conv(String label, Conv2dPlan plan, int x, int y, int residual, int batch) implements Step {
    public void run(float[][] s) {
      plan.run(s[x], 0, s[y], 0, batch, residual < 0 ? null : s[residual], 0);
    }

    public String describe() {
      return label + ": " + plan.spec() + " algo=" + plan.algorithm()
          + (residual < 0 ? "" : residual == y ? " +residual (in place)" : " +residual");
    }
  }

  /** Any other prepared kernel plan (pooling, linear, transposed conv); batch counts the plan's input rows. */
  record Kernel(String label, String what, Plan plan, int x, int y, int batch) implements Step {
    public void run(float[][] s) {
      plan.run(s[x], 0, s[y], 0, batch);
    }

    public String describe() {
      return label + ": " + what;
    }
  }

  record Act(String label, Backend backend, Activation act, int x, int y, int count) implements Step {
    public void run(float[][] s) {
      backend.activation(act, s[x], 0, s[y], 0, count);
    }

    public String describe() {
      return label + ": " + act;
    }
  }

  record Softmax(String label, Backend backend, int x, int y, int outer, int dim, int inner, boolean log)
      implements Step {
    public void run(float[][] s) {
      backend.softmax(s[x], 0, s[y], 0, outer, dim, inner, log);
    }

    public String describe() {
      return label + ": " + (log ? "log_softmax" : "softmax") + " over " + dim;
    }
  }

  /** a + b of equal shapes, on the backend's vector kernel. */
  record Add(String label, Backend backend, int a, int b, int y, int count) implements Step {
    public void run(float[][] s) {
      backend.add(s[a], 0, s[b], 0, s[y], 0, count);
    }

    public String describe() {
      return label + ": add";
    }
  }

  /** A plain copy (a graph output that is the input, a constant or another output). */
  record Copy(String label, int x, int y, int count) implements Step {
    public void run(float[][] s) {
      System.arraycopy(s[x], 0, s[y], 0, count);
    }

    public String describe() {
      return label + ": copy";
    }
  }
}
