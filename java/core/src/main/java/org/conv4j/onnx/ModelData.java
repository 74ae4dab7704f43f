package org.conv4j.onnx;

import java.util.List;
import java.util.Map;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;

/**
 * What a loaded ONNX file keeps for conversion: the nodes (without the initializer bytes, which are decoded once),
 * the single data input and its declared dimensions (-1 where symbolic), the outputs and the default-domain opset.
 */
record ModelData(
    String source,
    int opset,
    List<NodeProto> nodes,
    String inputName,
    long[] inputDims,
    List<String> inputDimNames,
    List<String> outputs,
    Map<String, ConstTensor> initializers) {}
