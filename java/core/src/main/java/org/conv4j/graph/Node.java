package org.conv4j.graph;

import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.LinearSpec;
import org.conv4j.spec.PaddingMode;
import org.conv4j.spec.Pool2dSpec;

/**
 * One operation of a {@link Graph}: the IR the builder records and prepare lowers into kernel steps. Inputs and the
 * output are value ids of the graph; weight arrays are private copies, never modified after construction.
 */
sealed interface Node {
  /** Unique node name, used in every prepare-time error. */
  String name();

  /** Value ids read by the node, in order. */
  int[] inputs();

  /** Value id the node defines. */
  int output();

  /** Short op name for messages and descriptions. */
  String op();

  record Conv(String name, int x, Conv2dSpec spec, float[] weight, float[] bias, int output) implements Node {
    public int[] inputs() { return new int[] {x}; }
    public String op() { return "conv2d"; }
  }

  record ConvTranspose(String name, int x, ConvTranspose2dSpec spec, float[] weight, float[] bias, int output)
      implements Node {
    public int[] inputs() { return new int[] {x}; }
    public String op() { return "conv_transpose2d"; }
  }

  record Pool(String name, int x, Pool2dSpec spec, int output) implements Node {
    public int[] inputs() { return new int[] {x}; }
    public String op() { return "pool2d"; }
  }

  record Linear(String name, int x, LinearSpec spec, float[] weight, float[] bias, int output) implements Node {
    public int[] inputs() { return new int[] {x}; }
    public String op() { return "linear"; }
  }

  record Act(String name, int x, Activation activation, int output) implements Node {
    public int[] inputs() { return new int[] {x}; }
    public String op() { return activation.toString(); }
  }

  record Softmax(String name, int x, int dim, boolean log, int output) implements Node {
    public int[] inputs() { return new int[] {x}; }
    public String op() { return log ? "log_softmax" : "softmax"; }
  }

  /** flatten, reshape and identity: same data under another shape (no copy at run time). */
  record Reshape(String name, int x, Kind kind, int[] shape, int startDim, int output) implements Node {
    enum Kind { FLATTEN, RESHAPE, IDENTITY }

    public int[] inputs() { return new int[] {x}; }
    public String op() { return kind.name().toLowerCase(java.util.Locale.ROOT); }
  }

  /** Elementwise a (op) b with numpy broadcasting. */
  record Binary(String name, int a, int b, BinaryOp kind, int output) implements Node {
    public int[] inputs() { return new int[] {a, b}; }
    public String op() { return kind.name().toLowerCase(java.util.Locale.ROOT); }
  }

  record Concat(String name, int[] xs, int axis, int output) implements Node {
    public int[] inputs() { return xs.clone(); }
    public String op() { return "concat"; }
  }

  /** Inference-mode batch norm over dim 1: y = (x - mean) / sqrt(var + eps) * gamma + beta. */
  record BatchNorm(String name, int x, float[] gamma, float[] beta, float[] mean, float[] var, float eps,
      int output) implements Node {
    public int[] inputs() { return new int[] {x}; }
    public String op() { return "batch_norm2d"; }
  }

  /**
   * Pads every dimension; pads is ONNX-ordered [begin_0 .. begin_{r-1}, end_0 .. end_{r-1}]. mode null means
   * constant padding with value.
   */
  record Pad(String name, int x, PaddingMode mode, float value, int[] pads, int output) implements Node {
    public int[] inputs() { return new int[] {x}; }
    public String op() { return "pad"; }
  }

  record Transpose(String name, int x, int[] perm, int output) implements Node {
    public int[] inputs() { return new int[] {x}; }
    public String op() { return "transpose"; }
  }
}
