package org.conv4j.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;

/**
 * Converts the nodes of an ONNX graph into a {@link Graph}: constants are folded ({@link ConstantFolder}, plus Shape
 * from the tracked dimensions), every other node becomes graph ops ({@link OpMapper}). Only nodes that an output
 * depends on are converted. Problems are collected rather than thrown one at a time, so that one error can list
 * every unsupported op and every node that cannot be converted.
 */
final class GraphConverter {
  /** Ops the importer converts (with {@link ConstantFolder#OPS} when their inputs are constant). */
  static final Set<String> SUPPORTED = Set.of("Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool",
      "GlobalMaxPool", "Gemm", "MatMul", "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
      "Flatten", "Reshape", "Add", "Sub", "Mul", "Div", "Concat", "BatchNormalization", "Dropout", "Identity", "Pad",
      "Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Slice", "Transpose", "Cast", "ConstantOfShape");

  /**
   * The outcome: the graph (null when anything failed), unsupported op types with their node names, other
   * problems one per node, and why a symbolic input dimension was needed (null if none was).
   */
  record Result(Graph graph, Map<String, List<String>> unsupported, List<String> problems, String shapeNeeded) {}

  /** A value computed at run time: its graph handle, dimensions (-1 where unknown) and whether dim 0 is the batch. */
  record Dyn(Value value, long[] dims, boolean batch0) {
    int rank() {
      return dims.length;
    }
  }

  private static final Object FAILED = new Object();

  final ModelData model;
  final Graph.Builder builder = Graph.builder();
  private final Map<String, Object> values = new HashMap<>();
  private final Map<String, Integer> uses = new HashMap<>();
  private final Map<String, NodeProto> lastReader = new HashMap<>();
  private final Set<String> names = new HashSet<>();
  private final Map<ConstTensor, Value> constValues = new IdentityHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private String shapeNeeded;

  private GraphConverter(ModelData model) {
    this.model = model;
  }

  /** Converts for an input of the given dimensions (-1 where unknown; dim 0 is the batch). */
  static Result convert(ModelData model, long[] inputDims) {
    return new GraphConverter(model).run(inputDims);
  }

  private Result run(long[] inputDims) {
    List<NodeProto> nodes = model.nodes();
    boolean[] live = liveNodes(nodes);
    Map<String, List<String>> unsupported = new TreeMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto n = nodes.get(i);
      if (live[i] && !isSupported(n)) {
        String type = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx") ? n.getOpType()
            : n.getDomain() + ":" + n.getOpType();
        unsupported.computeIfAbsent(type, k -> new ArrayList<>()).add(label(n));
      }
    }
    values.putAll(model.initializers());
    names.add(model.inputName());
    values.put(model.inputName(), new Dyn(builder.input(model.inputName()), inputDims.clone(), true));
    OpMapper mapper = new OpMapper(this);
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto n = nodes.get(i);
      if (!live[i]) continue;
      Object[] in = inputs(n);
      boolean failed = in == null || !isSupported(n);
      for (int k = 0; !failed && k < in.length; k++) failed = in[k] == FAILED;
      if (!failed) {
        try {
          Object[] out = mapper.map(n, new Attributes(n), in);
          for (int k = 0; k < out.length && k < n.getOutputCount(); k++) {
            if (out[k] != null && !n.getOutput(k).isEmpty()) values.put(n.getOutput(k), out[k]);
          }
          continue;
        } catch (ShapeNeededException e) {
          if (shapeNeeded == null) shapeNeeded = "node " + label(n) + " (" + n.getOpType() + "): " + e.getMessage();
        } catch (IllegalArgumentException e) {
          problems.add("node " + label(n) + " (" + n.getOpType() + "): " + e.getMessage());
        }
      }
      for (String o : n.getOutputList()) values.put(o, FAILED);
    }
    Graph graph = null;
    if (unsupported.isEmpty() && problems.isEmpty() && shapeNeeded == null) {
      for (String o : model.outputs()) {
        Object v = values.get(o);
        if (v instanceof Dyn d) {
          builder.output(o, d.value());
        } else if (v instanceof ConstTensor) {
          problems.add("graph output " + o + " is a constant (it does not depend on the input)");
        }
      }
      if (problems.isEmpty()) graph = builder.build();
    }
    return new Result(graph, unsupported, problems, shapeNeeded);
  }

  private static boolean isSupported(NodeProto n) {
    return (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx")) && SUPPORTED.contains(n.getOpType());
  }

  /** Nodes an output depends on; counts the uses of every value by live nodes and outputs. */
  private boolean[] liveNodes(List<NodeProto> nodes) {
    Set<String> needed = new HashSet<>(model.outputs());
    for (String o : model.outputs()) uses.merge(o, 1, Integer::sum);
    boolean[] live = new boolean[nodes.size()];
    for (int i = nodes.size() - 1; i >= 0; i--) {
      NodeProto n = nodes.get(i);
      for (String o : n.getOutputList()) live[i] |= needed.contains(o);
      if (!live[i]) continue;
      for (String in : n.getInputList()) {
        if (in.isEmpty()) continue;
        needed.add(in);
        uses.merge(in, 1, Integer::sum);
        lastReader.put(in, n);
      }
    }
    return live;
  }

  /** The node's inputs (null for an absent optional input), or null after recording an undefined name. */
  private Object[] inputs(NodeProto n) {
    Object[] in = new Object[n.getInputCount()];
    for (int k = 0; k < in.length; k++) {
      String name = n.getInput(k);
      if (name.isEmpty()) continue;
      in[k] = values.get(name);
      if (in[k] == null) {
        problems.add("node " + label(n) + " (" + n.getOpType() + "): input " + name
            + " is not produced by any earlier node, initializer or graph input");
        return null;
      }
    }
    return in;
  }

  /** How many live nodes and graph outputs read the named value. */
  int uses(String value) {
    return uses.getOrDefault(value, 0);
  }

  /** The one live node that reads the named value, or null when it has several readers or is a graph output. */
  NodeProto soleReader(String value) {
    return uses(value) == 1 && !model.outputs().contains(value) ? lastReader.get(value) : null;
  }

  /** A node's name for messages: its name, or its first output when unnamed. */
  static String label(NodeProto n) {
    return !n.getName().isEmpty() ? n.getName() : n.getOutputCount() > 0 ? "<" + n.getOutput(0) + ">" : "<unnamed>";
  }

  /** Names the next graph op after the ONNX node, suffixed when one node becomes several ops. */
  Graph.Builder named(NodeProto n, String suffix) {
    String base = label(n) + (suffix.isEmpty() ? "" : "#" + suffix);
    String name = base;
    for (int k = 2; !names.add(name); k++) name = base + "_" + k;
    return builder.named(name);
  }

  /** The graph value of an operand: a run-time value, or a float constant added to the graph once. */
  Value value(Object operand, String what) {
    if (operand instanceof Dyn d) return d.value();
    ConstTensor c = (ConstTensor) operand;
    return constValues.computeIfAbsent(c, k -> {
      String base = "const:" + what;
      String name = base;
      for (int i = 2; !names.add(name); i++) name = base + "_" + i;
      return builder.constant(name, k.toTensor(what));
    });
  }

  /** Shapes an operand contributes to broadcasting: a constant's shape, a run-time value's dims. */
  static long[] dimsOf(Object operand) {
    if (operand instanceof Dyn d) return d.dims();
    int[] s = ((ConstTensor) operand).shape();
    long[] l = new long[s.length];
    for (int i = 0; i < s.length; i++) l[i] = s[i];
    return l;
  }
}
