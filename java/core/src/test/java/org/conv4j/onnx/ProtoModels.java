package org.conv4j.onnx;

import com.google.protobuf.ByteString;
import java.util.List;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import org.conv4j.onnx.proto.OnnxProto.GraphProto;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.conv4j.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.conv4j.onnx.proto.OnnxProto.TensorShapeProto;
import org.conv4j.onnx.proto.OnnxProto.TypeProto;
import org.conv4j.onnx.proto.OnnxProto.ValueInfoProto;

/** Small ONNX models built in tests with the generated protobuf classes. */
final class ProtoModels {
  private ProtoModels() {}

  /** A float input or output; dims are Integer (fixed) or String (symbolic). */
  static ValueInfoProto value(String name, int elemType, Object... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder b = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof Integer i) b.setDimValue(i);
      else b.setDimParam((String) d);
      s.addDim(b);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))).build();
  }

  static NodeProto node(String op, String name, List<String> in, List<String> out, AttributeProto... attrs) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out)
        .addAllAttribute(List.of(attrs)).build();
  }

  static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
    for (long x : v) a.addInts(x);
    return a.build();
  }

  static AttributeProto i(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
  }

  static AttributeProto tensor(String name, TensorProto t) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(t).build();
  }

  static TensorProto int64(String name, long... v) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
    for (long x : v) t.addInt64Data(x);
    return t.build();
  }

  static TensorProto floats(String name, int[] dims, float... v) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
    for (int d : dims) t.addDims(d);
    for (float x : v) t.addFloatData(x);
    return t.build();
  }

  static TensorProto raw(String name, int type, int[] dims, byte... bytes) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(bytes));
    for (int d : dims) t.addDims(d);
    return t.build();
  }

  /** A model with the given inputs, outputs, initializers and nodes at a default-domain opset. */
  static ModelProto model(int opset, List<ValueInfoProto> inputs, List<ValueInfoProto> outputs,
      List<TensorProto> inits, NodeProto... nodes) {
    GraphProto g = GraphProto.newBuilder().setName("g").addAllInput(inputs).addAllOutput(outputs)
        .addAllInitializer(inits).addAllNode(List.of(nodes)).build();
    return ModelProto.newBuilder().setIrVersion(7).setProducerName("test").setGraph(g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
  }
}
