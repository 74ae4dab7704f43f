package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.conv4j.Tensor;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;

/**
 * How far a whole model's float32 output may be from its reference, derived from rounding-error bounds:
 *
 * <ul>
 *   <li>A float32 dot product of n terms is within gamma(n) ~ n u of exact, relative to sum |x_i w_i| (Higham,
 *       Accuracy and Stability of Numerical Algorithms, eq. 3.5; u = 2^-24), whatever the summation order.
 *   <li>In these models (Kaiming-initialized weights, batch norm, relu, pooling) a layer passes the error it
 *       receives on with a gain of about 1 and sum |x_i w_i| is of the order of the activations, so the output
 *       error is at most u times the sum of every conv/linear dot-product length ("terms", counted from the
 *       model: C/groups * kH * kW per Conv/ConvTranspose, K per Gemm/MatMul) times the activation scale.
 *   <li>The scale is max(1, max|y|): outputs of softmax / log_softmax are bounded functions of logits of order 1.
 *   <li>64 more terms cover the elementwise ops (sigmoid, tanh, exp at a few ulps each, BN folding in double).
 *   <li>A PyTorch reference is computed in float64 (exact for this purpose); an ONNX Runtime reference is float32
 *       with the same bound of its own, which doubles the allowance.
 * </ul>
 * An indexing, padding or attribute mistake changes outputs by the order of |y|, far above these bounds (e.g.
 * LeNet-5: 779 terms, 4.6e-5 |y|).
 */
final class ModelTolerance {
  static final double U = 0x1p-24;

  private ModelTolerance() {}

  /** Sum over Conv, ConvTranspose, Gemm and MatMul nodes of their dot-product length. */
  static long terms(Path model) throws IOException {
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(model));
    Map<String, TensorProto> inits = new HashMap<>();
    for (TensorProto t : m.getGraph().getInitializerList()) inits.put(t.getName(), t);
    long terms = 0;
    for (NodeProto n : m.getGraph().getNodeList()) {
      TensorProto w = n.getInputCount() > 1 ? inits.get(n.getInput(1)) : null;
      if (w == null) continue;
      long group = 1;
      for (AttributeProto a : n.getAttributeList()) if (a.getName().equals("group")) group = a.getI();
      switch (n.getOpType()) {
        case "Conv": terms += w.getDims(1) * w.getDims(2) * w.getDims(3); break;
        case "ConvTranspose": terms += w.getDims(0) / group * w.getDims(2) * w.getDims(3); break;
        case "Gemm":
        case "MatMul":
          terms += Math.max(w.getDims(0), w.getDims(1));
          break;
        default:
      }
    }
    return terms;
  }

  static double bound(long terms, Tensor reference, boolean float32Reference) {
    double scale = 1;
    for (float v : reference.data()) scale = Math.max(scale, Math.abs(v));
    return U * (terms + 64) * scale * (float32Reference ? 2 : 1);
  }

  /** Asserts equal shapes and every element within tol; returns the largest error. */
  static double assertClose(String what, Tensor expected, Tensor actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double worst = 0;
    int at = -1;
    float[] e = expected.data(), a = actual.data();
    for (int i = 0; i < e.length; i++) {
      double d = Math.abs((double) e[i] - a[i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    double w = worst;
    int k = at;
    assertTrue(w <= tol, () -> what + ": max error " + w + " at " + k + " (expected " + e[k] + ", got " + a[k]
        + ") exceeds the tolerance " + tol + " " + Arrays.toString(expected.shape()));
    return worst;
  }
}
