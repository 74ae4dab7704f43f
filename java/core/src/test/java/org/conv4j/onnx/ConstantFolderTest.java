package org.conv4j.onnx;

import static org.conv4j.onnx.ProtoModels.i;
import static org.conv4j.onnx.ProtoModels.ints;
import static org.conv4j.onnx.ProtoModels.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.junit.jupiter.api.Test;

/** Load-time evaluation of the ops around Reshape and Pad, in their attribute and input forms. */
class ConstantFolderTest {
  private static ConstTensor fold(String op, int opset, List<AttributeProto> attrs, ConstTensor... in) {
    return ConstantFolder.fold(op, new Attributes(node(op, op, List.of(), List.of("y"),
        attrs.toArray(new AttributeProto[0]))), in, opset);
  }

  private static ConstTensor vec(long... v) {
    return ConstTensor.int64(new int[] {v.length}, v);
  }

  private static ConstTensor scalar(long v) {
    return ConstTensor.int64(new int[0], v);
  }

  private static ConstTensor floats(int[] shape, float... v) {
    return ConstTensor.ofFloats(DataType.FLOAT, shape, v);
  }

  private static ConstTensor range(int... shape) {
    long[] v = new long[(int) org.conv4j.Tensor.numel(shape)];
    for (int k = 0; k < v.length; k++) v[k] = k;
    return ConstTensor.int64(shape, v);
  }

  @Test
  void sliceClampsLikeOnnxInBothForms() {
    ConstTensor x = range(10);
    // PyTorch's x[::-1] on a dimension: start -1, end INT64_MIN, step -1
    assertArrayEquals(new long[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
        fold("Slice", 13, List.of(), x, vec(-1), vec(Long.MIN_VALUE), vec(0), vec(-1)).longs("y"));
    assertArrayEquals(new long[] {2, 5, 8},
        fold("Slice", 13, List.of(), x, vec(2), vec(Long.MAX_VALUE), null, vec(3)).longs("y"));
    ConstTensor m = range(3, 4);
    ConstTensor attr = fold("Slice", 9, List.of(ints("starts", 1, -3), ints("ends", 100, -1), ints("axes", 0, 1)), m);
    assertArrayEquals(new int[] {2, 2}, attr.shape());
    assertArrayEquals(new long[] {5, 6, 9, 10}, attr.longs("y"));
  }

  @Test
  void gatherUnsqueezeSqueezeConcatTranspose() {
    ConstTensor m = range(2, 3);
    ConstTensor col = fold("Gather", 13, List.of(i("axis", 1)), m, scalar(-1));
    assertArrayEquals(new int[] {2}, col.shape());
    assertArrayEquals(new long[] {2, 5}, col.longs("y"));
    // Unsqueeze: attribute axes before opset 13 (negative counts from the output's end), an input since
    assertArrayEquals(new int[] {2, 1}, fold("Unsqueeze", 11, List.of(ints("axes", -1)), col).shape());
    assertArrayEquals(new int[] {1, 2}, fold("Unsqueeze", 13, List.of(), col, vec(0)).shape());
    ConstTensor sq = fold("Squeeze", 13, List.of(), range(1, 3, 1));
    assertArrayEquals(new int[] {3}, sq.shape());
    assertThrows(IllegalArgumentException.class, () -> fold("Squeeze", 11, List.of(ints("axes", 1)), range(1, 3, 1)));
    ConstTensor cat = fold("Concat", 13, List.of(i("axis", -1)), range(2, 1), range(2, 2));
    assertArrayEquals(new long[] {0, 0, 1, 1, 2, 3}, cat.longs("y"));
    ConstTensor t = fold("Transpose", 13, List.of(), m);
    assertArrayEquals(new int[] {3, 2}, t.shape());
    assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, t.longs("y"));
  }

  @Test
  void castConstantOfShapeAndReshape() {
    ConstTensor f = floats(new int[] {3}, -1.7f, 2.9f, 0f);
    assertArrayEquals(new long[] {-1, 2, 0}, fold("Cast", 13, List.of(i("to", 7)), f).longs("y"));
    assertArrayEquals(new long[] {1, 1, 0}, fold("Cast", 13, List.of(i("to", 9)), f).longs("y"));
    assertArrayEquals(new float[] {3f, 4f}, fold("Cast", 13, List.of(i("to", 1)), vec(3, 4)).floats("y"));
    ConstTensor zeros = fold("ConstantOfShape", 13, List.of(), vec(2, 3));
    assertArrayEquals(new float[6], zeros.floats("y"));
    ConstTensor r = fold("Reshape", 13, List.of(), range(2, 3, 4), vec(0, -1));
    assertArrayEquals(new int[] {2, 12}, r.shape());
    assertThrows(IllegalArgumentException.class, () -> fold("Reshape", 13, List.of(), range(2, 3), vec(4, -1)));
  }

  @Test
  void arithmeticBroadcastsAndTruncatesIntegerDivision() {
    assertArrayEquals(new long[] {-3, 3, -3}, fold("Div", 13, List.of(), vec(-7, 7, 7), vec(2, 2, -2)).longs("y"));
    ConstTensor sum = fold("Add", 13, List.of(), range(2, 1), vec(10, 20, 30));
    assertArrayEquals(new int[] {2, 3}, sum.shape());
    assertArrayEquals(new long[] {10, 20, 30, 11, 21, 31}, sum.longs("y"));
    assertArrayEquals(new float[] {1.5f, -3f}, fold("Mul", 13, List.of(), floats(new int[] {2}, 0.5f, -1f),
        floats(new int[0], 3f)).floats("y"));
    assertThrows(IllegalArgumentException.class, () -> fold("Div", 13, List.of(), vec(1), vec(0)));
    assertThrows(IllegalArgumentException.class, () -> fold("Add", 13, List.of(), vec(1), floats(new int[] {1}, 1f)));
  }

  @Test
  void batchMarksTravelWithMovedElementsAndBlockArithmeticWhenUnknown() {
    ConstTensor shape = ConstTensor.ofLongs(DataType.INT64, new int[] {4},
        new long[] {ConstTensor.UNKNOWN, 3, 8, 8}, new boolean[] {true, false, false, false});
    ConstTensor n = fold("Gather", 13, List.of(), shape, scalar(0));
    assertTrue(n.isBatch(0));
    ConstTensor target = fold("Concat", 13, List.of(i("axis", 0)), fold("Unsqueeze", 13, List.of(), n, vec(0)), vec(-1));
    assertTrue(target.isBatch(0));
    assertFalse(target.isBatch(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fold("Mul", 13, List.of(), n, scalar(2)));
    assertTrue(e.getMessage().contains("batch size"), e.getMessage());
    // a static batch size is a number like any other
    ConstTensor fixed = ConstTensor.ofLongs(DataType.INT64, new int[] {1}, new long[] {4}, new boolean[] {true});
    assertArrayEquals(new long[] {8}, fold("Mul", 13, List.of(), fixed, scalar(2)).longs("y"));
  }
}
