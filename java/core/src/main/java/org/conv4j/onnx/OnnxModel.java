package org.conv4j.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.conv4j.backend.Backend;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Layout;
import org.conv4j.graph.PrepareOptions;
import org.conv4j.graph.PreparedModel;
import org.conv4j.onnx.proto.OnnxProto.GraphProto;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.conv4j.onnx.proto.OnnxProto.TensorShapeProto;
import org.conv4j.onnx.proto.OnnxProto.ValueInfoProto;

/**
 * An ONNX model (as torch.onnx.export writes it, opsets 7 to 21) imported into a conv4j {@link Graph}.
 *
 * <pre>{@code
 * OnnxModel m = OnnxModel.load(Path.of("resnet18.onnx"));
 * try (PreparedModel p = m.prepare(Backends.defaultBackend(), new int[] {1, 3, 224, 224})) {
 *   Tensor logits = p.run(image);
 * }
 * }</pre>
 *
 * <p>Loading parses the file, decodes the weights, folds constant subgraphs (the Shape/Gather/Concat chains the
 * exporter writes around Reshape and Pad) and converts every node, so that a model conv4j cannot run fails here:
 * with one IllegalArgumentException listing every unsupported op type with its node names and every node that
 * cannot be converted. A truncated or corrupt file is an {@link OnnxFormatException} naming the file.
 *
 * <p>The model has one float32 input whose dimension 0 is the batch: prepared models run any batch size, even
 * when the file declares a fixed one (a reshape to the file's literal batch size is read as "keep the batch").
 * Other dimensions come from the file or, when {@link #prepare} is given another size (fully convolutional
 * models), the model is converted again for that size.
 */
public final class OnnxModel {
  /** Default-domain opsets this importer reads. */
  public static final int MIN_OPSET = 7;
  public static final int MAX_OPSET = 21;

  private final ModelData data;
  private final String producer;
  private final Graph graph; // for the declared input dimensions; null when they are symbolic where it matters
  private final String shapeNeeded;

  private OnnxModel(ModelData data, String producer, GraphConverter.Result declared) {
    this.data = data;
    this.producer = producer;
    this.graph = declared.graph();
    this.shapeNeeded = declared.shapeNeeded();
  }

  /** Reads and converts an ONNX file. */
  public static OnnxModel load(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    return load(Files.readAllBytes(file), file.toString());
  }

  /** Reads and converts an ONNX model held in memory; name is used in messages. */
  public static OnnxModel load(byte[] bytes, String name) throws OnnxFormatException {
    Objects.requireNonNull(bytes, "bytes");
    ModelProto m;
    try {
      m = ModelProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxFormatException(name + ": not a readable ONNX model, the file is truncated or corrupt ("
          + e.getMessage() + ")", e);
    }
    if (!m.hasGraph() || m.getGraph().getOutputCount() == 0) {
      throw new OnnxFormatException(name + ": not an ONNX model or truncated: it has " + (m.hasGraph()
          ? "a graph without outputs" : "no graph") + " (" + bytes.length + " bytes)");
    }
    int opset = opset(m, name);
    GraphProto g = m.getGraph();
    List<String> problems = new ArrayList<>();
    Map<String, ConstTensor> inits = new HashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      try {
        inits.put(t.getName(), TensorDecoder.decode(t, "initializer " + t.getName()));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    ValueInfoProto input = dataInput(g, inits.keySet(), name);
    long[] dims = dims(input, name);
    List<String> dimNames = new ArrayList<>();
    for (TensorShapeProto.Dimension d : input.getType().getTensorType().getShape().getDimList()) {
      dimNames.add(d.hasDimParam() ? d.getDimParam() : null);
    }
    List<String> outputs = new ArrayList<>();
    for (ValueInfoProto o : g.getOutputList()) outputs.add(o.getName());
    ModelData data = new ModelData(name, opset, List.copyOf(g.getNodeList()), input.getName(), dims,
        Collections.unmodifiableList(dimNames), List.copyOf(outputs), inits);
    GraphConverter.Result r = problems.isEmpty() ? GraphConverter.convert(data, dims) : null;
    if (r != null) problems.addAll(r.problems());
    Map<String, List<String>> unsupported = r == null ? Map.of() : r.unsupported();
    if (!problems.isEmpty() || !unsupported.isEmpty()) {
      throw new IllegalArgumentException(report(name, opset, unsupported, problems));
    }
    String producer = (m.getProducerName() + " " + m.getProducerVersion()).trim();
    return new OnnxModel(data, producer, r);
  }

  private static int opset(ModelProto m, String name) throws OnnxFormatException {
    for (OperatorSetIdProto o : m.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        long v = o.getVersion();
        if (v < MIN_OPSET || v > MAX_OPSET) {
          throw new IllegalArgumentException(name + ": opset " + v + " is not supported (conv4j reads opsets "
              + MIN_OPSET + " to " + MAX_OPSET + ")");
        }
        return (int) v;
      }
    }
    throw new OnnxFormatException(name + ": the model imports no opset of the default ONNX domain (opset_import)");
  }

  /** The one graph input that is not an initializer (IR < 4 lists initializers among the inputs too). */
  private static ValueInfoProto dataInput(GraphProto g, Set<String> inits, String name) {
    List<ValueInfoProto> real = new ArrayList<>();
    for (ValueInfoProto v : g.getInputList()) if (!inits.contains(v.getName())) real.add(v);
    if (real.size() != 1) {
      List<String> names = new ArrayList<>();
      for (ValueInfoProto v : real) names.add(v.getName());
      throw new IllegalArgumentException(name + ": the model has " + real.size() + " inputs " + names
          + "; conv4j runs models with exactly one input");
    }
    ValueInfoProto in = real.get(0);
    int type = in.getType().getTensorType().getElemType();
    if (!in.getType().hasTensorType() || type != DataType.FLOAT.code) {
      throw new IllegalArgumentException(name + ": input " + in.getName() + " has type "
          + (in.getType().hasTensorType() ? DataType.name(type) : "non-tensor") + "; conv4j runs float32 inputs");
    }
    return in;
  }

  private static long[] dims(ValueInfoProto in, String name) {
    if (!in.getType().getTensorType().hasShape()) {
      throw new IllegalArgumentException(name + ": input " + in.getName() + " declares no shape (rank unknown)");
    }
    List<TensorShapeProto.Dimension> ds = in.getType().getTensorType().getShape().getDimList();
    if (ds.isEmpty()) throw new IllegalArgumentException(name + ": input " + in.getName() + " is a scalar");
    long[] dims = new long[ds.size()];
    for (int i = 0; i < dims.length; i++) dims[i] = ds.get(i).hasDimValue() && ds.get(i).getDimValue() > 0 ? ds.get(i).getDimValue() : -1;
    return dims;
  }

  private static String report(String name, int opset, Map<String, List<String>> unsupported, List<String> problems) {
    StringBuilder sb = new StringBuilder(name).append(": cannot import this model (opset ").append(opset).append(')');
    if (!unsupported.isEmpty()) {
      sb.append("\n  unsupported operators:");
      boolean first = true;
      for (Map.Entry<String, List<String>> e : unsupported.entrySet()) {
        sb.append(first ? " " : "; ").append(e.getKey()).append(e.getValue().size() > 1 ? " (nodes " : " (node ")
            .append(String.join(", ", e.getValue())).append(')');
        first = false;
      }
    }
    for (String p : problems) sb.append("\n  ").append(p);
    return sb.toString();
  }

  /** Name of the model's input. */
  public String inputName() {
    return data.inputName();
  }

  /** The input shape the file declares, batch first; -1 marks a symbolic dimension (see {@link #inputDimNames}). */
  public int[] inputShape() {
    int[] s = new int[data.inputDims().length];
    for (int i = 0; i < s.length; i++) s[i] = (int) data.inputDims()[i];
    return s;
  }

  /** Names of the symbolic input dimensions (e.g. "batch_size"), null for fixed ones. */
  public List<String> inputDimNames() {
    return data.inputDimNames();
  }

  /** Output names, in the file's order (the order of {@link PreparedModel#runAll}). */
  public List<String> outputNames() {
    return data.outputs();
  }

  /** Version of the default ONNX operator set the model imports. */
  public int opset() {
    return data.opset();
  }

  /** producer_name and producer_version from the file, e.g. "pytorch 1.13.0". */
  public String producer() {
    return producer;
  }

  /**
   * The graph for the declared input shape. A model whose conversion needs an input dimension the file leaves
   * symbolic (e.g. a Shape read of a dynamic height) has none: use {@link #toGraph(int[])}.
   */
  public Graph toGraph() {
    if (graph == null) {
      throw new IllegalStateException(data.source() + ": the graph depends on input dimensions the file leaves"
          + " symbolic (" + shapeNeeded + "); call toGraph(inputShape) or prepare(backend, inputShape)");
    }
    return graph;
  }

  /** The graph for an NCHW input shape (batch first; the batch size itself does not matter). */
  public Graph toGraph(int[] inputShape) {
    long[] dims = dimsFor(inputShape);
    if (graph != null && Arrays.equals(Arrays.copyOfRange(dims, 1, dims.length),
        Arrays.copyOfRange(data.inputDims(), 1, dims.length))) {
      return graph;
    }
    GraphConverter.Result r = GraphConverter.convert(data, dims);
    if (r.graph() == null) {
      List<String> problems = new ArrayList<>(r.problems());
      if (r.shapeNeeded() != null) problems.add(r.shapeNeeded());
      throw new IllegalArgumentException(report(data.source() + " for input shape " + Arrays.toString(inputShape),
          data.opset(), r.unsupported(), problems));
    }
    return r.graph();
  }

  private long[] dimsFor(int[] inputShape) {
    Objects.requireNonNull(inputShape, "inputShape");
    if (inputShape.length != data.inputDims().length) {
      throw new IllegalArgumentException("inputShape " + Arrays.toString(inputShape) + " has rank "
          + inputShape.length + " but input " + data.inputName() + " has rank " + data.inputDims().length);
    }
    long[] dims = new long[inputShape.length];
    dims[0] = data.inputDims()[0];
    for (int i = 1; i < dims.length; i++) {
      if (inputShape[i] < 1) {
        throw new IllegalArgumentException("inputShape " + Arrays.toString(inputShape) + " has dimension " + i + " < 1");
      }
      dims[i] = inputShape[i];
    }
    return dims;
  }

  /** Converts (if needed) and prepares for an NCHW input shape; see {@link Graph#prepare}. */
  public PreparedModel prepare(Backend backend, int[] inputShape) {
    return prepare(backend, inputShape, PrepareOptions.DEFAULT);
  }

  /** As {@link #prepare(Backend, int[])}; inputShape is in options' layout (NHWC: [N, H, W, C]). */
  public PreparedModel prepare(Backend backend, int[] inputShape, PrepareOptions options) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(inputShape, "inputShape");
    int[] nchw = inputShape;
    if (options.layout() == Layout.NHWC && inputShape.length == 4) {
      nchw = new int[] {inputShape[0], inputShape[3], inputShape[1], inputShape[2]};
    }
    return toGraph(nchw).prepare(backend, inputShape, options);
  }

  @Override
  public String toString() {
    return "OnnxModel(" + data.source() + ", opset " + data.opset() + ", input " + data.inputName()
        + Arrays.toString(inputShape()) + ", outputs " + data.outputs() + ")";
  }
}
