package org.conv4j.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Check;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.LinearSpec;
import org.conv4j.spec.PaddingMode;
import org.conv4j.spec.Pool2dSpec;

/**
 * An immutable dataflow graph of CNN operations with one input and one or more named outputs: the form every model
 * (torch.nn-style layers, ONNX files) is lowered to before it runs.
 *
 * <p>Build one with {@link #builder()}: {@code input} gives the input's handle, each op method takes handles and
 * returns the handle of its result, {@code output} names results, {@code build} freezes the graph. Nodes are
 * recorded in call order, which is therefore a topological order. Shapes are not declared: {@link #prepare}
 * infers them from the input shape, and a shape error names the node. Weight arrays are copied by the builder.
 *
 * <pre>{@code
 * Graph.Builder b = Graph.builder();
 * Value x = b.input("image");                                     // [N, 3, H, W]
 * Value y = b.named("conv1").conv2d(x, Conv2dSpec.builder(3, 8, 3).padding(1).bias(false).build(), w, null);
 * y = b.batchNorm2d(y, gamma, beta, mean, var, 1e-5f);            // folded into conv1 at prepare
 * y = b.activation(y, Activation.RELU);                           // fused into conv1's epilogue
 * b.output("features", y);
 * try (PreparedModel m = b.build().prepare(backend, new int[] {1, 3, 32, 32})) {
 *   Tensor out = m.run(image);
 * }
 * }</pre>
 *
 * <p>Semantics follow PyTorch: tensors are NCHW, conv weights OIHW, transposed-conv weights IOHW, linear weights
 * [out, in]. Element ops broadcast as numpy. See each method for its shape rule.
 */
public final class Graph {
  final List<Node> nodes;
  final int inputId;
  final Map<Integer, Tensor> constants;
  final List<String> outputNames;
  final int[] outputIds;
  final String[] valueNames;

  private Graph(Builder b) {
    nodes = List.copyOf(b.nodes);
    inputId = b.st.inputId;
    constants = Collections.unmodifiableMap(new HashMap<>(b.constants));
    outputNames = List.copyOf(b.outputNames);
    outputIds = b.outputIds.stream().mapToInt(Integer::intValue).toArray();
    valueNames = b.valueNames.toArray(new String[0]);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Name of the graph input. */
  public String inputName() {
    return valueNames[inputId];
  }

  /** Output names, in the order {@code output} was called (the order of {@link PreparedModel#runAll}). */
  public List<String> outputNames() {
    return outputNames;
  }

  /** Number of op nodes (constants and the input are not nodes). */
  public int nodeCount() {
    return nodes.size();
  }

  /** Prepares with the default options (NCHW input, fusion on, AUTO conv algorithm). */
  public PreparedModel prepare(Backend backend, int[] inputShape) {
    return prepare(backend, inputShape, PrepareOptions.DEFAULT);
  }

  /**
   * Infers every shape for {@code inputShape} (in the layout of {@code options.layout()}, batch first), applies the
   * fusions, plans the intermediate buffers and prepares every kernel plan once. Runs may use any batch size with
   * the same per-image dimensions; see {@link PreparedModel}. Any shape or kernel error is an
   * IllegalArgumentException naming the node.
   */
  public PreparedModel prepare(Backend backend, int[] inputShape, PrepareOptions options) {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(inputShape, "inputShape");
    Objects.requireNonNull(options, "options");
    return new PreparedModel(this, backend, inputShape, options);
  }

  /** One line per node: name, op and inputs. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Graph(input ").append(inputName()).append('\n');
    for (Node n : nodes) {
      sb.append("  ").append(n.name()).append(" = ").append(n.op()).append('(');
      int[] in = n.inputs();
      for (int i = 0; i < in.length; i++) sb.append(i > 0 ? ", " : "").append(valueNames[in[i]]);
      sb.append(")\n");
    }
    for (int i = 0; i < outputIds.length; i++) {
      sb.append("  output ").append(outputNames.get(i)).append(" = ").append(valueNames[outputIds[i]]).append('\n');
    }
    return sb.append(')').toString();
  }

  /**
   * Records a graph. Not thread-safe; every method checks what it can without shapes (weight lengths against the
   * spec, permutations, pad counts) and throws an IllegalArgumentException naming the node.
   */
  public static final class Builder {
    /** What every view of one builder shares. */
    private static final class State {
      final List<Node> nodes = new ArrayList<>();
      final Map<Integer, Tensor> constants = new HashMap<>();
      final List<String> valueNames = new ArrayList<>();
      final Set<String> usedNames = new HashSet<>();
      final List<String> outputNames = new ArrayList<>();
      final List<Integer> outputIds = new ArrayList<>();
      int inputId = -1;
      boolean built;
    }

    private final State st;
    private final String name; // the name of this view's node, or null for automatic names
    private final List<Node> nodes;
    private final Map<Integer, Tensor> constants;
    private final List<String> valueNames;
    private final List<String> outputNames;
    private final List<Integer> outputIds;

    private Builder() {
      this(new State(), null);
    }

    private Builder(State st, String name) {
      this.st = st;
      this.name = name;
      nodes = st.nodes;
      constants = st.constants;
      valueNames = st.valueNames;
      outputNames = st.outputNames;
      outputIds = st.outputIds;
    }

    /**
     * A view of this builder whose op call names its node {@code name} (default: op name and a counter, e.g.
     * {@code conv2d_3}). A name already taken gets a suffix ({@code relu}, {@code relu_1}, ...), as when one
     * torch module runs twice; {@link Value#name()} tells the final name. Names appear in every error and in
     * {@link PreparedModel#describe()}.
     * The view records into the same graph, so {@code b.named("relu1").activation(b.conv2d(...))} names the
     * activation, not the conv made while evaluating its argument.
     */
    public Builder named(String name) {
      if (name == null || name.isEmpty()) throw new IllegalArgumentException("node name must be non-empty");
      return new Builder(st, name);
    }

    /** The graph's single input, a tensor whose shape is given at prepare time (batch first). */
    public Value input(String name) {
      if (st.inputId >= 0) {
        throw new IllegalArgumentException(
            "a graph has one input; \"" + valueNames.get(st.inputId) + "\" exists, cannot add \"" + name + "\"");
      }
      Value v = newValue(reserve(name == null ? "input" : name));
      st.inputId = v.id;
      return v;
    }

    /** A constant tensor (copied), e.g. a per-channel scale for {@link #mul}. */
    public Value constant(String name, Tensor t) {
      Objects.requireNonNull(t, "constant tensor");
      Value v = newValue(reserve(name == null ? "const_" + valueNames.size() : name));
      constants.put(v.id, Tensor.of(t.data().clone(), t.shape()));
      return v;
    }

    /**
     * torch.nn.functional.conv2d: x [N, inC, H, W] -> [N, outC, outH, outW]; weight OIHW
     * ({@code spec.weightSize()} floats), bias [outC] or null when the spec has no bias.
     */
    public Value conv2d(Value x, Conv2dSpec spec, float[] weight, float[] bias) {
      String name = take("conv2d");
      Objects.requireNonNull(spec, "spec");
      checkWeights(name, weight, spec.weightSize(), spec.weightShapeText(), bias, spec.hasBias(), spec.outChannels());
      return add(new Node.Conv(name, id(x), spec, weight.clone(), cloneOrNull(bias), valueNames.size()));
    }

    /** torch.nn.functional.conv_transpose2d: x [N, inC, H, W]; weight IOHW; bias [outC] or null. */
    public Value convTranspose2d(Value x, ConvTranspose2dSpec spec, float[] weight, float[] bias) {
      String name = take("conv_transpose2d");
      Objects.requireNonNull(spec, "spec");
      checkWeights(name, weight, spec.weightSize(), spec.weightShapeText(), bias, spec.hasBias(), spec.outChannels());
      return add(new Node.ConvTranspose(name, id(x), spec, weight.clone(), cloneOrNull(bias), valueNames.size()));
    }

    /** Max, average, adaptive-average or global pooling of x [N, C, H, W]. */
    public Value pool2d(Value x, Pool2dSpec spec) {
      String name = take("pool2d");
      Objects.requireNonNull(spec, "spec");
      return add(new Node.Pool(name, id(x), spec, valueNames.size()));
    }

    /**
     * torch.nn.functional.linear: x [..., inF] (rank >= 2, usually [N, inF]) -> [..., outF]; weight [outF, inF],
     * bias [outF] or null.
     */
    public Value linear(Value x, LinearSpec spec, float[] weight, float[] bias) {
      String name = take("linear");
      Objects.requireNonNull(spec, "spec");
      checkWeights(name, weight, spec.weightSize(), spec.weightShapeText(), bias, spec.hasBias(), spec.outFeatures());
      return add(new Node.Linear(name, id(x), spec, weight.clone(), cloneOrNull(bias), valueNames.size()));
    }

    /** An elementwise activation, any shape. */
    public Value activation(Value x, Activation act) {
      String name = take(act == null ? "activation" : act.kind().name().toLowerCase(java.util.Locale.ROOT));
      Objects.requireNonNull(act, "activation");
      return add(new Node.Act(name, id(x), act, valueNames.size()));
    }

    /** softmax (log=false) or log_softmax over dimension dim (negative counts from the end). */
    public Value softmax(Value x, int dim, boolean log) {
      return add(new Node.Softmax(take(log ? "log_softmax" : "softmax"), id(x), dim, log, valueNames.size()));
    }

    /** torch.flatten(x, startDim, -1): dims from startDim on become one (negative counts from the end). */
    public Value flatten(Value x, int startDim) {
      String name = take("flatten");
      return add(new Node.Reshape(name, id(x), Node.Reshape.Kind.FLATTEN, null, startDim, valueNames.size()));
    }

    /**
     * ONNX Reshape (allowzero=0): 0 copies the input's dimension at that index, one -1 is inferred from the element
     * count. Note that a literal batch size (e.g. {@code [1, 512]}) only fits runs of that batch.
     */
    public Value reshape(Value x, int... shape) {
      String name = take("reshape");
      Objects.requireNonNull(shape, "shape");
      int inferred = 0;
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] < -1) {
          throw new IllegalArgumentException(name + ": reshape dimension " + i + " is " + shape[i] + ", must be >= -1");
        }
        if (shape[i] == -1 && ++inferred > 1) {
          throw new IllegalArgumentException(
              name + ": reshape shape " + Arrays.toString(shape) + " has more than one -1");
        }
      }
      return add(new Node.Reshape(name, id(x), Node.Reshape.Kind.RESHAPE, shape.clone(), 0, valueNames.size()));
    }

    /** x itself (e.g. Dropout in eval mode); costs nothing at run time. */
    public Value identity(Value x) {
      String name = take("identity");
      return add(new Node.Reshape(name, id(x), Node.Reshape.Kind.IDENTITY, null, 0, valueNames.size()));
    }

    /** a + b with numpy broadcasting; a residual add after a conv is fused into the conv's epilogue. */
    public Value add(Value a, Value b) {
      return binary(a, b, BinaryOp.ADD);
    }

    /** a - b with numpy broadcasting. */
    public Value sub(Value a, Value b) {
      return binary(a, b, BinaryOp.SUB);
    }

    /** a * b with numpy broadcasting (e.g. x [N, C, H, W] times a per-channel constant [C, 1, 1]). */
    public Value mul(Value a, Value b) {
      return binary(a, b, BinaryOp.MUL);
    }

    /** a / b with numpy broadcasting. */
    public Value div(Value a, Value b) {
      return binary(a, b, BinaryOp.DIV);
    }

    private Value binary(Value a, Value b, BinaryOp op) {
      String name = take(op.name().toLowerCase(java.util.Locale.ROOT));
      return add(new Node.Binary(name, id(a), id(b), op, valueNames.size()));
    }

    /** torch.cat(xs, axis): equal shapes except along axis (negative counts from the end). */
    public Value concat(List<Value> xs, int axis) {
      String name = take("concat");
      if (xs == null || xs.isEmpty()) throw new IllegalArgumentException(name + ": concat needs at least one input");
      int[] ids = new int[xs.size()];
      for (int i = 0; i < ids.length; i++) ids[i] = id(xs.get(i));
      return add(new Node.Concat(name, ids, axis, valueNames.size()));
    }

    /**
     * torch.nn.BatchNorm2d in eval mode over dim 1 of x (rank >= 2): y = (x - mean) / sqrt(var + eps) * gamma +
     * beta. Directly after a conv whose output nothing else reads, prepare folds it into the conv's weights.
     */
    public Value batchNorm2d(Value x, float[] gamma, float[] beta, float[] mean, float[] var, float eps) {
      String name = take("batch_norm2d");
      Check.length(name + " running_mean", mean, mean == null ? 0 : mean.length, "[C]");
      int c = mean.length;
      Check.length(name + " weight (gamma)", gamma, c, "[" + c + "]");
      Check.length(name + " bias (beta)", beta, c, "[" + c + "]");
      Check.length(name + " running_var", var, c, "[" + c + "]");
      if (!(eps >= 0f) || Float.isInfinite(eps)) {
        throw new IllegalArgumentException(name + ": eps must be finite and >= 0, got " + eps);
      }
      for (int i = 0; i < c; i++) {
        if (!(var[i] + eps > 0f)) {
          throw new IllegalArgumentException(
              name + ": running_var[" + i + "] + eps = " + var[i] + " + " + eps + " must be > 0");
        }
      }
      return add(new Node.BatchNorm(name, id(x), gamma.clone(), beta.clone(), mean.clone(), var.clone(), eps,
          valueNames.size()));
    }

    /**
     * Pads with mode ZEROS, REFLECT, REPLICATE (ONNX "edge") or CIRCULAR (ONNX "wrap"). pads is ONNX-ordered
     * [begin_0 .. begin_{r-1}, end_0 .. end_{r-1}] over all r dims of x; negative pads crop.
     */
    public Value pad(Value x, PaddingMode mode, int... pads) {
      Objects.requireNonNull(mode, "mode");
      return pad(x, mode == PaddingMode.ZEROS ? null : mode, 0f, pads);
    }

    /** Constant padding with value; pads as {@link #pad(Value, PaddingMode, int...)}. */
    public Value pad(Value x, float value, int... pads) {
      return pad(x, null, value, pads);
    }

    private Value pad(Value x, PaddingMode mode, float value, int[] pads) {
      String name = take("pad");
      Objects.requireNonNull(pads, "pads");
      if (pads.length == 0 || pads.length % 2 != 0) {
        throw new IllegalArgumentException(
            name + ": pads must hold a begin and an end per dimension (even length), got " + Arrays.toString(pads));
      }
      return add(new Node.Pad(name, id(x), mode, value, pads.clone(), valueNames.size()));
    }

    /** torch.permute / ONNX Transpose: output dim i is input dim perm[i]. */
    public Value transpose(Value x, int... perm) {
      String name = take("transpose");
      Objects.requireNonNull(perm, "perm");
      boolean[] seen = new boolean[perm.length];
      for (int p : perm) {
        if (p < 0 || p >= perm.length || seen[p]) {
          throw new IllegalArgumentException(
              name + ": perm " + Arrays.toString(perm) + " is not a permutation of 0.." + (perm.length - 1));
        }
        seen[p] = true;
      }
      return add(new Node.Transpose(name, id(x), perm.clone(), valueNames.size()));
    }

    /** Marks v as a graph output under name; outputs are returned in the order of these calls. */
    public Builder output(String name, Value v) {
      if (name == null || name.isEmpty()) throw new IllegalArgumentException("output name must be non-empty");
      if (outputNames.contains(name)) throw new IllegalArgumentException("output \"" + name + "\" is defined twice");
      int id = id(v);
      outputNames.add(name);
      outputIds.add(id);
      return this;
    }

    /** Freezes the graph; needs an input and at least one output. The builder cannot be used afterwards. */
    public Graph build() {
      checkOpen();
      if (st.inputId < 0) throw new IllegalArgumentException("the graph has no input (call input(name))");
      if (outputIds.isEmpty()) throw new IllegalArgumentException("the graph has no output (call output(name, v))");
      st.built = true;
      return new Graph(this);
    }

    private void checkOpen() {
      if (st.built) throw new IllegalStateException("this builder has already built its graph");
    }

    private String take(String op) {
      checkOpen();
      return reserve(name != null ? name : op + "_" + nodes.size());
    }

    private int id(Value v) {
      Objects.requireNonNull(v, "value");
      if (v.owner != st) throw new IllegalArgumentException(v + " belongs to another graph builder");
      return v.id;
    }

    private Value newValue(String name) {
      checkOpen();
      valueNames.add(name);
      return new Value(st, valueNames.size() - 1, name);
    }

    /** name, or name_1, name_2, ... if taken; reserved from now on. */
    private String reserve(String name) {
      String unique = name;
      for (int k = 1; !st.usedNames.add(unique); k++) unique = name + "_" + k;
      return unique;
    }

    private Value add(Node n) {
      Value v = newValue(n.name());
      if (v.id != n.output()) throw new AssertionError("value ids out of step");
      nodes.add(n);
      return v;
    }

    private static void checkWeights(
        String node, float[] w, long size, String shape, float[] bias, boolean hasBias, int outC) {
      Check.length(node + " weight", w, size, shape);
      if (hasBias) {
        Check.length(node + " bias", bias, outC, "[" + outC + "]");
      } else if (bias != null) {
        throw new IllegalArgumentException(
            node + ": bias was given (" + bias.length + " floats) but the spec has bias=false");
      }
    }

    private static float[] cloneOrNull(float[] a) {
      return a == null ? null : a.clone();
    }
  }
}
