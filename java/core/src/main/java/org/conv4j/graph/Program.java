package org.conv4j.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.backend.Plan;

/**
 * A graph compiled for one input shape: the steps in order and a slot plan. Slots are the arrays a run works on:
 * slot 0 is the caller's input, slots 1..k the caller's outputs, then constants, then intermediate buffers. Each
 * intermediate value gets a buffer by liveness: a buffer is reused once the last step reading its previous value
 * has run, never by the step still reading it (so no kernel ever sees its input and output aliased), with one
 * exception: a conv with a fused residual writes over the residual's buffer when it is that value's last reader
 * (the kernels add into y in place; y and the residual are then exactly the same span). Reshape-like
 * nodes and pads of nothing alias their input's buffer. Workspaces (one slot array each) come from a pool, so concurrent runs never
 * share buffers and a warm program allocates nothing.
 */
final class Program {
  /** Shares prepared kernel plans between programs of different batch sizes. */
  interface PlanCache {
    Plan get(String key, Supplier<Plan> prepare);
  }

  private static final int RAW = 0;

  final int[] inputShape; // in the caller's layout
  final int[][] outputShapes;
  private final Step[] steps;
  private final int slotCount;
  private final float[][] constantSlots; // fixed arrays by slot, null elsewhere
  private final int[] bufferSizes; // floats by slot, 0 for non-buffer slots
  private final long workspaceFloats;
  private final int[] outputSizes;
  private final WorkspacePool<float[][]> pool =
      new WorkspacePool<>(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), this::newWorkspace);

  /** A storage: where one or more values (aliases) live. */
  private static final class Storage {
    int fixedSlot = -1; // raw input, constant or caller output
    int size;
    int lastUse = -1;
    int slot = -1;
  }

  /** A step before slots are known. */
  private interface Factory {
    Step create(int[] inSlots, int outSlot);
  }

  /**
   * A step before slots are known. {@code overwrite}: the index in {@code in} of an operand whose buffer the output
   * may take over when this step is its last reader (a conv's fused residual: the kernel adds into y in place), or -1.
   */
  private record Pending(int[] in, int out, Factory factory, int overwrite) {
    Pending(int[] in, int out, Factory factory) {
      this(in, out, factory, -1);
    }
  }

  Program(Graph g, int[] callerShape, Layout layout, boolean fuse, Conv2dAlgorithm algo, Backend backend,
      PlanCache plans) {
    inputShape = callerShape.clone();
    int[] nchw = layout == Layout.NHWC ? toNchw(callerShape) : callerShape.clone();
    int[][] shapes = ShapeInference.infer(g, nchw);
    List<Lowered> lowered = Fusion.lower(g, shapes, fuse);

    List<Storage> storages = new ArrayList<>();
    int[] storageOf = new int[shapes.length];
    Arrays.fill(storageOf, -1);
    List<Pending> pending = new ArrayList<>();
    int nOut = g.outputIds.length;
    int slot = 1 + nOut;
    List<float[]> constArrays = new ArrayList<>();

    Storage raw = new Storage();
    raw.fixedSlot = RAW;
    storages.add(raw);
    if (layout == Layout.NHWC) {
      int s = newStorage(storages, nchw);
      storageOf[g.inputId] = s;
      pending.add(new Pending(new int[] {0}, s,
          (in, out) -> new TransposeStep("input NHWC->NCHW", in[0], callerShape, new int[] {0, 3, 1, 2}, out)));
    } else {
      storageOf[g.inputId] = 0;
    }
    for (var e : g.constants.entrySet()) {
      Storage c = new Storage();
      c.fixedSlot = slot++;
      constArrays.add(e.getValue().data());
      storageOf[e.getKey()] = storages.size();
      storages.add(c);
    }

    for (Lowered l : lowered) {
      Node n = l.node();
      if (n instanceof Node.Reshape r) {
        storageOf[r.output()] = storageOf[r.x()];
        continue;
      }
      if (n instanceof Node.Pad p && Arrays.stream(p.pads()).allMatch(v -> v == 0)) {
        storageOf[p.output()] = storageOf[p.x()]; // a pad of nothing (exporters emit them) is its input: no step
        continue;
      }
      int[] ins = l.residual() >= 0 ? new int[] {storageOf[n.inputs()[0]], storageOf[l.residual()]}
          : Arrays.stream(n.inputs()).map(v -> storageOf[v]).toArray();
      int out = newStorage(storages, shapes[n.output()]);
      storageOf[n.output()] = out;
      Factory f;
      try {
        f = factory(l, shapes, backend, algo, plans);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("node " + l.label() + " (" + n.op() + "), input shape "
            + Arrays.toString(shapes[n.inputs()[0]]) + ": " + e.getMessage(), e);
      }
      pending.add(new Pending(ins, out, f, l.residual() >= 0 ? 1 : -1));
    }

    // graph outputs: a computed storage becomes the caller's output array itself, anything else is copied there
    outputShapes = new int[nOut][];
    outputSizes = new int[nOut];
    for (int k = 0; k < nOut; k++) {
      int v = g.outputIds[k];
      outputShapes[k] = shapes[v].clone();
      outputSizes[k] = Math.toIntExact(Tensor.numel(shapes[v]));
      Storage s = storages.get(storageOf[v]);
      if (s.fixedSlot < 0) {
        s.fixedSlot = 1 + k;
      } else {
        int size = Math.toIntExact(Tensor.numel(shapes[v]));
        String label = "output " + g.outputNames.get(k);
        Storage o = new Storage();
        o.fixedSlot = 1 + k;
        storages.add(o);
        pending.add(new Pending(new int[] {storageOf[v]}, storages.size() - 1,
            (in, out) -> new Step.Copy(label, in[0], out, size)));
      }
    }

    // liveness-based buffer assignment
    for (int i = 0; i < pending.size(); i++) {
      for (int s : pending.get(i).in()) storages.get(s).lastUse = i;
    }
    List<Integer> bufSizes = new ArrayList<>();
    List<Integer> free = new ArrayList<>(); // buffer indices
    List<Storage> active = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      for (int a = active.size() - 1; a >= 0; a--) {
        Storage s = active.get(a);
        if (s.lastUse < i) {
          free.add(s.slot);
          active.remove(a);
        }
      }
      Pending p = pending.get(i);
      Storage s = storages.get(p.out());
      if (s.fixedSlot >= 0) continue;
      if (p.overwrite() >= 0) { // y takes over the residual's buffer: one stream less than reading it beside y
        int r = p.in()[p.overwrite()];
        Storage rs = storages.get(r);
        boolean onlyOperand = Arrays.stream(p.in()).filter(v -> v == r).count() == 1; // x aliased to y: never
        if (rs.fixedSlot < 0 && rs.lastUse == i && rs.size == s.size && onlyOperand && active.remove(rs)) {
          s.slot = rs.slot;
          if (s.lastUse < i) s.lastUse = i;
          active.add(s);
          continue;
        }
      }
      int best = -1;
      for (int b : free) { // the smallest free buffer that fits, else the largest one (grown)
        if (best < 0) {
          best = b;
          continue;
        }
        int have = bufSizes.get(b), bestHave = bufSizes.get(best);
        boolean fits = have >= s.size, bestFits = bestHave >= s.size;
        if (fits ? !bestFits || have < bestHave : !bestFits && have > bestHave) best = b;
      }
      if (best < 0) {
        bufSizes.add(s.size);
        best = bufSizes.size() - 1;
      } else {
        free.remove(Integer.valueOf(best));
        bufSizes.set(best, Math.max(bufSizes.get(best), s.size));
      }
      s.slot = best;
      if (s.lastUse < i) s.lastUse = i; // a value nobody reads is still written
      active.add(s);
    }
    int bufferBase = slot;
    slotCount = bufferBase + bufSizes.size();
    constantSlots = new float[slotCount][];
    bufferSizes = new int[slotCount];
    for (int c = 0; c < constArrays.size(); c++) constantSlots[1 + nOut + c] = constArrays.get(c);
    long total = 0;
    for (int b = 0; b < bufSizes.size(); b++) {
      bufferSizes[bufferBase + b] = bufSizes.get(b);
      total += bufSizes.get(b);
    }
    workspaceFloats = total;
    steps = new Step[pending.size()];
    for (int i = 0; i < steps.length; i++) {
      Pending p = pending.get(i);
      int[] in = Arrays.stream(p.in()).map(s -> slotOf(storages.get(s), bufferBase)).toArray();
      steps[i] = p.factory().create(in, slotOf(storages.get(p.out()), bufferBase));
    }
  }

  private static int slotOf(Storage s, int bufferBase) {
    return s.fixedSlot >= 0 ? s.fixedSlot : bufferBase + s.slot;
  }

  private static int newStorage(List<Storage> storages, int[] shape) {
    Storage s = new Storage();
    s.size = Math.toIntExact(Tensor.numel(shape));
    storages.add(s);
    return storages.size() - 1;
  }

  static int[] toNchw(int[] nhwc) {
    if (nhwc.length != 4) {
      throw new IllegalArgumentException("an NHWC input must have rank 4 [N, H, W, C], got " + Arrays.toString(nhwc));
    }
    return new int[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
  }

  /** The step factory of a lowered node; prepares (or fetches) its kernel plan now, so errors surface here. */
  private static Factory factory(Lowered l, int[][] shapes, Backend backend, Conv2dAlgorithm algo, PlanCache plans) {
    Node n = l.node();
    String label = l.label();
    int[] x = shapes[n.inputs()[0]];
    int[] y = shapes[n.output()];
    int count = Math.toIntExact(Tensor.numel(y));
    if (n instanceof Node.Conv c) {
      Conv2dPlan plan = (Conv2dPlan) plans.get(key(label, c.spec(), x, algo),
          () -> backend.conv2d(c.spec(), x[2], x[3], c.weight(), c.bias(), algo));
      boolean res = l.residual() >= 0;
      return (in, out) -> new Step.Conv(label, plan, in[0], out, res ? in[1] : -1, x[0]);
    }
    if (n instanceof Node.ConvTranspose c) {
      Plan plan = plans.get(key(label, c.spec(), x, algo),
          () -> backend.convTranspose2d(c.spec(), x[2], x[3], c.weight(), c.bias()));
      return (in, out) -> new Step.Kernel(label, c.spec().toString(), plan, in[0], out, x[0]);
    }
    if (n instanceof Node.Pool p) {
      Plan plan = plans.get(key(label, p.spec(), x, algo), () -> backend.pool2d(p.spec(), x[1], x[2], x[3]));
      return (in, out) -> new Step.Kernel(label, p.spec().toString(), plan, in[0], out, x[0]);
    }
    if (n instanceof Node.Linear lin) {
      Plan plan = plans.get(key(label, lin.spec(), new int[0], algo),
          () -> backend.linear(lin.spec(), lin.weight(), lin.bias()));
      int rows = Math.toIntExact(Tensor.numel(x) / lin.spec().inFeatures());
      return (in, out) -> new Step.Kernel(label, lin.spec().toString(), plan, in[0], out, rows);
    }
    if (n instanceof Node.Act a) {
      return (in, out) -> new Step.Act(label, backend, a.activation(), in[0], out, count);
    }
    if (n instanceof Node.Softmax sm) {
      int d = ShapeInference.axis("dim", sm.dim(), x.length);
      int outer = Math.toIntExact(Tensor.numel(Arrays.copyOfRange(x, 0, d)));
      int inner = Math.toIntExact(Tensor.numel(Arrays.copyOfRange(x, d + 1, x.length)));
      return (in, out) -> new Step.Softmax(label, backend, in[0], out, outer, x[d], inner, sm.log());
    }
    if (n instanceof Node.Binary b) {
      int[] as = shapes[b.a()], bs = shapes[b.b()];
      if (b.kind() == BinaryOp.ADD && Arrays.equals(as, y) && Arrays.equals(bs, y)) {
        return (in, out) -> new Step.Add(label, backend, in[0], in[1], out, count);
      }
      return (in, out) -> new BroadcastStep(label, b.kind(), in[0], as, in[1], bs, out, y);
    }
    if (n instanceof Node.Concat c) {
      int[][] ss = Arrays.stream(c.xs()).mapToObj(v -> shapes[v]).toArray(int[][]::new);
      int axis = ShapeInference.axis("axis", c.axis(), x.length);
      return (in, out) -> new ConcatStep(label, in, ss, axis, out);
    }
    if (n instanceof Node.BatchNorm bn) {
      return (in, out) -> new BatchNormStep(label, bn, in[0], x, out);
    }
    if (n instanceof Node.Pad p) {
      return (in, out) -> new PadStep(label, p.mode(), p.value(), p.pads(), in[0], x, y, out);
    }
    if (n instanceof Node.Transpose t) {
      return (in, out) -> new TransposeStep(label, in[0], x, t.perm(), out);
    }
    throw new AssertionError(n);
  }

  private static String key(String label, Object spec, int[] perImage, Conv2dAlgorithm algo) {
    int[] per = perImage.length > 1 ? Arrays.copyOfRange(perImage, 1, perImage.length) : perImage;
    return label + "|" + spec + "|" + Arrays.toString(per) + "|" + algo;
  }

  /** Runs into the caller's array for output 0 (shapes already checked); other outputs go to spare buffers. */
  void run(float[] input, float[] first) {
    run(input, first, null);
  }

  /** Runs into the caller's arrays, one per output (shapes already checked). */
  void run(float[] input, float[][] outputs) {
    run(input, null, outputs);
  }

  private void run(float[] input, float[] first, float[][] outputs) {
    float[][] ws = pool.take();
    int nOut = outputShapes.length;
    try {
      ws[RAW] = input;
      for (int k = 0; k < nOut; k++) {
        float[] o = outputs != null ? outputs[k] : k == 0 ? first : null;
        ws[1 + k] = o != null ? o : ws[slotCount + k];
      }
      for (Step s : steps) s.run(ws);
    } finally {
      ws[RAW] = null;
      for (int k = 0; k < nOut; k++) ws[1 + k] = null;
      pool.give(ws);
    }
  }

  /** Slots, then one spare array per output (for outputs a run does not ask for), allocated when first needed. */
  private float[][] newWorkspace() {
    float[][] ws = new float[slotCount + outputShapes.length][];
    for (int i = 0; i < slotCount; i++) {
      if (constantSlots[i] != null) ws[i] = constantSlots[i];
      else if (bufferSizes[i] > 0) ws[i] = new float[bufferSizes[i]];
    }
    for (int k = 0; k < outputShapes.length; k++) ws[slotCount + k] = new float[outputSizes[k]];
    return ws;
  }

  /** Floats of intermediate buffers one concurrent run needs. */
  long workspaceFloats() {
    return workspaceFloats;
  }

  String describe() {
    StringBuilder sb = new StringBuilder();
    for (Step s : steps) sb.append(s.describe()).append('\n');
    return sb.toString();
  }

  int stepCount() {
    return steps.length;
  }
}
