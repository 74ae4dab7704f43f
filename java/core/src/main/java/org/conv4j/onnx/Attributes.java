package org.conv4j.onnx;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;

/** Typed access to a node's attributes, with ONNX defaults; a wrong type is an error naming the attribute. */
final class Attributes {
  private final Map<String, AttributeProto> byName = new HashMap<>();

  Attributes(NodeProto node) {
    for (AttributeProto a : node.getAttributeList()) byName.put(a.getName(), a);
  }

  boolean has(String name) {
    return byName.containsKey(name);
  }

  long i(String name, long dflt) {
    AttributeProto a = get(name, AttributeType.INT);
    return a == null ? dflt : a.getI();
  }

  float f(String name, float dflt) {
    AttributeProto a = get(name, AttributeType.FLOAT);
    return a == null ? dflt : a.getF();
  }

  String s(String name, String dflt) {
    AttributeProto a = get(name, AttributeType.STRING);
    return a == null ? dflt : a.getS().toString(StandardCharsets.UTF_8);
  }

  /** The INTS attribute, or dflt (may be null) when absent. */
  long[] ints(String name, long[] dflt) {
    AttributeProto a = get(name, AttributeType.INTS);
    if (a == null) return dflt;
    long[] v = new long[a.getIntsCount()];
    for (int k = 0; k < v.length; k++) v[k] = a.getInts(k);
    return v;
  }

  float[] floats(String name) {
    AttributeProto a = get(name, AttributeType.FLOATS);
    if (a == null) return null;
    float[] v = new float[a.getFloatsCount()];
    for (int k = 0; k < v.length; k++) v[k] = a.getFloats(k);
    return v;
  }

  TensorProto t(String name) {
    AttributeProto a = get(name, AttributeType.TENSOR);
    return a == null ? null : a.getT();
  }

  private AttributeProto get(String name, AttributeType want) {
    AttributeProto a = byName.get(name);
    if (a == null) return null;
    AttributeType have = a.hasType() ? a.getType() : inferType(a);
    if (have != want) {
      throw new IllegalArgumentException("attribute " + name + " must be " + want + ", got " + have);
    }
    return a;
  }

  /** IR version 1 files have no type field: the one value field that is set tells. */
  private static AttributeType inferType(AttributeProto a) {
    if (a.hasF()) return AttributeType.FLOAT;
    if (a.hasI()) return AttributeType.INT;
    if (a.hasS()) return AttributeType.STRING;
    if (a.hasT()) return AttributeType.TENSOR;
    if (a.hasG()) return AttributeType.GRAPH;
    if (a.getFloatsCount() > 0) return AttributeType.FLOATS;
    if (a.getIntsCount() > 0) return AttributeType.INTS;
    if (a.getStringsCount() > 0) return AttributeType.STRINGS;
    if (a.getTensorsCount() > 0) return AttributeType.TENSORS;
    return AttributeType.UNDEFINED;
  }
}
