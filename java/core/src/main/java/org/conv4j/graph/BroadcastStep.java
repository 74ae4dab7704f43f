package org.conv4j.graph;

/** a (op) b with numpy broadcasting, in Java over merged dimensions (see {@link Strided}). */
final class BroadcastStep implements Step {
  private final String label;
  private final BinaryOp op;
  private final int a, b, y;
  private final Strided loop;

  BroadcastStep(String label, BinaryOp op, int a, int[] aShape, int b, int[] bShape, int y, int[] outShape) {
    this.label = label;
    this.op = op;
    this.a = a;
    this.b = b;
    this.y = y;
    loop = Strided.of(outShape, Strided.broadcastStrides(aShape, outShape), Strided.broadcastStrides(bShape, outShape));
  }

  @Override
  public void run(float[][] s) {
    walk(0, s[a], 0, s[b], 0, s[y], 0);
  }

  /** Dimension d onwards; returns the output offset reached. */
  private int walk(int d, float[] av, int ao, float[] bv, int bo, float[] yv, int yo) {
    int n = loop.dims[d], sa = loop.strides[0][d], sb = loop.strides[1][d];
    if (d == loop.dims.length - 1) {
      switch (op) {
        case ADD: for (int i = 0; i < n; i++) yv[yo + i] = av[ao + i * sa] + bv[bo + i * sb]; break;
        case SUB: for (int i = 0; i < n; i++) yv[yo + i] = av[ao + i * sa] - bv[bo + i * sb]; break;
        case MUL: for (int i = 0; i < n; i++) yv[yo + i] = av[ao + i * sa] * bv[bo + i * sb]; break;
        case DIV: for (int i = 0; i < n; i++) yv[yo + i] = av[ao + i * sa] / bv[bo + i * sb]; break;
        default: throw new AssertionError(op);
      }
      return yo + n;
    }
    for (int i = 0; i < n; i++) yo = walk(d + 1, av, ao + i * sa, bv, bo + i * sb, yv, yo);
    return yo;
  }

  @Override
  public String describe() {
    return label + ": " + op.name().toLowerCase(java.util.Locale.ROOT) + " (broadcast)";
  }
}
