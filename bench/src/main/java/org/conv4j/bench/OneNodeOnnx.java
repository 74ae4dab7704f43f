package org.conv4j.bench;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.conv4j.onnx.proto.OnnxProto.GraphProto;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.conv4j.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.conv4j.onnx.proto.OnnxProto.TensorShapeProto;
import org.conv4j.onnx.proto.OnnxProto.TypeProto;
import org.conv4j.onnx.proto.OnnxProto.ValueInfoProto;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.PaddingMode;
import org.conv4j.spec.Pool2dSpec;

/**
 * Serialized ONNX models (opset 13) of one layer as a model runs it: Conv or ConvTranspose with its bias, followed by
 * the activation node the exporter writes (Relu, or Clip for ReLU6), or one pooling node. Input "x" is
 * [batch, C, H, W] with a symbolic batch, output "y". Both ONNX Runtime and conv4j's importer load these bytes,
 * so the two engines run the same model.
 */
final class OneNodeOnnx {
  static final int OPSET = 13;

  private OneNodeOnnx() {}

  /** Conv (+ activation) with the spec's geometry; weight OIHW, bias [outC] (null when the spec has none). */
  static byte[] conv(Conv2dSpec s, int inH, int inW, float[] weight, float[] bias) {
    if (s.paddingMode() != PaddingMode.ZEROS || s.paddingKind() != Conv2dSpec.PaddingKind.EXPLICIT) {
      throw new IllegalArgumentException("spec must use explicit zero padding, got " + s);
    }
    Model m = new Model(s.inChannels(), inH, inW);
    m.init("w", weight, s.outChannels(), s.inChannels() / s.groups(), s.kernelH(), s.kernelW());
    List<String> inputs = new ArrayList<>(List.of("x", "w"));
    if (bias != null) {
      m.init("b", bias, s.outChannels());
      inputs.add("b");
    }
    NodeProto.Builder conv = node("Conv", inputs, "conv")
        .addAttribute(ints("kernel_shape", s.kernelH(), s.kernelW()))
        .addAttribute(ints("strides", s.strideH(), s.strideW()))
        .addAttribute(ints("pads", s.padTop(), s.padLeft(), s.padBottom(), s.padRight()))
        .addAttribute(ints("dilations", s.dilationH(), s.dilationW()))
        .addAttribute(AttributeProto.newBuilder().setName("group").setType(AttributeProto.AttributeType.INT)
            .setI(s.groups()));
    m.add(conv);
    m.activation(s.activation());
    return m.bytes();
  }

  /** ConvTranspose (+ activation); weight IOHW as PyTorch and ONNX, bias [outC] or null. */
  static byte[] convTranspose(ConvTranspose2dSpec s, int inH, int inW, float[] weight, float[] bias) {
    Model m = new Model(s.inChannels(), inH, inW);
    m.init("w", weight, s.inChannels(), s.outChannels() / s.groups(), s.kernelH(), s.kernelW());
    List<String> inputs = new ArrayList<>(List.of("x", "w"));
    if (bias != null) {
      m.init("b", bias, s.outChannels());
      inputs.add("b");
    }
    m.add(node("ConvTranspose", inputs, "conv_transpose")
        .addAttribute(ints("kernel_shape", s.kernelH(), s.kernelW()))
        .addAttribute(ints("strides", s.strideH(), s.strideW()))
        .addAttribute(ints("pads", s.padTop(), s.padLeft(), s.padBottom(), s.padRight()))
        .addAttribute(ints("output_padding", s.outputPadH(), s.outputPadW()))
        .addAttribute(ints("dilations", s.dilationH(), s.dilationW()))
        .addAttribute(AttributeProto.newBuilder().setName("group").setType(AttributeProto.AttributeType.INT)
            .setI(s.groups())));
    m.activation(s.activation());
    return m.bytes();
  }

  /** MaxPool / AveragePool with the spec's window, or GlobalAveragePool for an adaptive average to 1x1. */
  static byte[] pool(Pool2dSpec s, int channels, int inH, int inW) {
    Model m = new Model(channels, inH, inW);
    switch (s.kind()) {
      case ADAPTIVE_AVG:
        if (s.outputH() != 1 || s.outputW() != 1) {
          throw new IllegalArgumentException("adaptive average pooling must be to 1x1 (GlobalAveragePool), got "
              + s.outputH() + "x" + s.outputW());
        }
        m.add(node("GlobalAveragePool", List.of("x"), "pool"));
        break;
      case MAX:
      case AVG:
        boolean max = s.kind() == Pool2dSpec.Kind.MAX;
        NodeProto.Builder n = node(max ? "MaxPool" : "AveragePool", List.of("x"), "pool")
            .addAttribute(ints("kernel_shape", s.kernelH(), s.kernelW()))
            .addAttribute(ints("strides", s.strideH(), s.strideW()))
            .addAttribute(ints("pads", s.padTop(), s.padLeft(), s.padBottom(), s.padRight()))
            .addAttribute(AttributeProto.newBuilder().setName("ceil_mode").setType(AttributeProto.AttributeType.INT)
                .setI(s.ceilMode() ? 1 : 0));
        if (max) {
          n.addAttribute(ints("dilations", s.dilationH(), s.dilationW()));
        } else {
          n.addAttribute(AttributeProto.newBuilder().setName("count_include_pad")
              .setType(AttributeProto.AttributeType.INT).setI(s.countIncludePad() ? 1 : 0));
        }
        m.add(n);
        break;
      default:
        throw new IllegalArgumentException("pool kind must be MAX, AVG or ADAPTIVE_AVG, got " + s.kind());
    }
    return m.bytes();
  }

  private static NodeProto.Builder node(String op, List<String> inputs, String name) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs);
  }

  private static AttributeProto.Builder ints(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) a.addInts(v);
    return a;
  }

  /** A graph under construction: nodes are chained, each reading the previous node's output. */
  private static final class Model {
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("side_by_side");
    private String last = "x";
    private final List<NodeProto.Builder> nodes = new ArrayList<>();

    Model(int channels, int inH, int inW) {
      graph.addInput(value("x", -1, channels, inH, inW));
    }

    void init(String name, float[] data, long... dims) {
      ByteBuffer buf = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(data);
      TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
          .setRawData(ByteString.copyFrom(buf.array()));
      for (long d : dims) t.addDims(d);
      graph.addInitializer(t);
    }

    /** Appends a node reading the current last value (its first input is renamed to it). */
    void add(NodeProto.Builder n) {
      n.setInput(0, last);
      last = n.getName() + "_out";
      n.addOutput(last);
      nodes.add(n);
    }

    void activation(Activation a) {
      switch (a.kind()) {
        case NONE:
          return;
        case RELU:
          add(node("Relu", List.of("x"), "relu"));
          return;
        case CLAMP:
          init("clip_min", new float[] {a.a()});
          init("clip_max", new float[] {a.b()});
          add(node("Clip", List.of("x", "clip_min", "clip_max"), "clip"));
          return;
        default:
          throw new IllegalArgumentException("activation must be NONE, RELU or CLAMP, got " + a);
      }
    }

    byte[] bytes() {
      NodeProto.Builder tail = nodes.get(nodes.size() - 1);
      tail.setOutput(0, "y");
      for (NodeProto.Builder n : nodes) graph.addNode(n);
      graph.addOutput(ValueInfoProto.newBuilder().setName("y").setType(TypeProto.newBuilder()
          .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
      return ModelProto.newBuilder().setIrVersion(7).setProducerName("conv4j-bench")
          .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(OPSET)).setGraph(graph).build().toByteArray();
    }

    /** A float tensor value; dim -1 is the symbolic batch "N". */
    private static ValueInfoProto value(String name, long... dims) {
      TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
      for (long d : dims) {
        shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
            : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
      }
      return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
          TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
  }
}
