package org.conv4j.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Check;

/**
 * A {@link Graph} prepared for one backend and input shape: shapes inferred, fusions applied, intermediate buffers
 * planned and every kernel plan prepared (weights packed) once.
 *
 * <p><b>Batch size.</b> Runs may use any batch size N >= 1 with the per-image dimensions given at prepare time
 * (everything after dim 0). A new N is compiled lazily on first use and cached; kernel plans are shared across
 * batch sizes, so no weights are packed again. A graph whose reshape names a literal batch size only runs at that
 * size (the error names the reshape node).
 *
 * <p><b>Layout.</b> Input tensors are in the layout of {@link PrepareOptions#layout()}; an NHWC input is converted
 * to NCHW once per run, as the first step. Outputs are as the graph computes them (NCHW for images).
 *
 * <p><b>Threads.</b> Immutable and thread-safe: concurrent runs take separate workspaces from a pool, and a warm
 * model allocates nothing per run except the result tensor of {@link #run(Tensor)}. {@link #close()} releases the
 * kernel plans (native memory); call it after the last run has returned. Running a closed model is an
 * IllegalStateException.
 */
public final class PreparedModel implements AutoCloseable {
  private final Graph graph;
  private final Backend backend;
  private final PrepareOptions options;
  private final int[] perImage; // input shape without dim 0, caller's layout
  private final Program prepared;
  private final ConcurrentHashMap<Integer, Program> programs = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Plan> plans = new ConcurrentHashMap<>();
  private volatile boolean closed;

  PreparedModel(Graph graph, Backend backend, int[] inputShape, PrepareOptions options) {
    this.graph = graph;
    this.backend = backend;
    this.options = options;
    if (inputShape.length < 1) throw new IllegalArgumentException("inputShape must have a batch dimension, got []");
    for (int i = 0; i < inputShape.length; i++) {
      if (inputShape[i] < 1) {
        throw new IllegalArgumentException(
            "inputShape " + Arrays.toString(inputShape) + " has dimension " + i + " < 1");
      }
    }
    perImage = Arrays.copyOfRange(inputShape, 1, inputShape.length);
    try {
      prepared = compile(inputShape[0]);
    } catch (RuntimeException e) {
      plans.values().forEach(Plan::close);
      throw e;
    }
    programs.put(inputShape[0], prepared);
  }

  private Program compile(int batch) {
    int[] shape = new int[perImage.length + 1];
    shape[0] = batch;
    System.arraycopy(perImage, 0, shape, 1, perImage.length);
    return new Program(graph, shape, options.layout(), options.fuse(), options.convAlgorithm(), backend,
        (key, prepare) -> plans.computeIfAbsent(key, k -> prepare.get()));
  }

  /**
   * The program for this input, compiled on first use of its batch size; checks the per-image shape without
   * allocating (Tensor.shape() would copy).
   */
  private Program program(Tensor input) {
    if (closed) throw new IllegalStateException("this PreparedModel is closed");
    if (input == null) throw new IllegalArgumentException("input must not be null");
    boolean ok = input.rank() == perImage.length + 1;
    for (int i = 0; ok && i < perImage.length; i++) ok = input.dim(i + 1) == perImage[i];
    if (!ok) {
      throw new IllegalArgumentException("input has shape " + Arrays.toString(input.shape())
          + " but the model was prepared for " + options.layout() + " [N, " + Arrays.toString(perImage).substring(1));
    }
    int batch = input.dim(0);
    if (batch == prepared.inputShape[0]) return prepared;
    Check.positive("input batch size", batch);
    Program p = programs.get(batch);
    return p != null ? p : programs.computeIfAbsent(batch, this::compile);
  }

  /** Runs the first output on input into a new tensor. */
  public Tensor run(Tensor input) {
    Program p = program(input);
    Tensor out = Tensor.zeros(p.outputShapes[0]);
    p.run(input.data(), out.data());
    return out;
  }

  /**
   * Runs into the caller's tensor of exactly the first output's shape (for this batch size); out must not share
   * its array with input. Allocates nothing once warm (other outputs, if any, go to the workspace).
   */
  public void run(Tensor input, Tensor out) {
    Program p = program(input);
    checkOutput(p, 0, input, out);
    p.run(input.data(), out.data());
  }

  /** Runs every output, in the graph's output order, into new tensors. */
  public List<Tensor> runAll(Tensor input) {
    Program p = program(input);
    Tensor[] outs = new Tensor[p.outputShapes.length];
    float[][] arrays = new float[outs.length][];
    for (int k = 0; k < outs.length; k++) {
      outs[k] = Tensor.zeros(p.outputShapes[k]);
      arrays[k] = outs[k].data();
    }
    p.run(input.data(), arrays);
    return List.of(outs);
  }

  private void checkOutput(Program p, int k, Tensor input, Tensor o) {
    if (o == null) throw new IllegalArgumentException("output tensor must not be null");
    int[] want = p.outputShapes[k];
    boolean ok = o.rank() == want.length;
    for (int i = 0; ok && i < want.length; i++) ok = o.dim(i) == want[i];
    if (!ok) {
      throw new IllegalArgumentException("output " + graph.outputNames.get(k) + " has shape "
          + Arrays.toString(o.shape()) + " but must be " + Arrays.toString(p.outputShapes[k]));
    }
    if (o.data() == input.data()) {
      throw new IllegalArgumentException("output " + graph.outputNames.get(k) + " shares its array with the input");
    }
  }

  /** The input shape given at prepare time, in the input layout. */
  public int[] inputShape() {
    return prepared.inputShape.clone();
  }

  /** Shape of output k at the prepared batch size. */
  public int[] outputShape(int k) {
    return prepared.outputShapes[k].clone();
  }

  /** Shape of the first output for a run with batch size n (compiling that size if new). */
  public int[] outputShape(int k, int batch) {
    Check.positive("batch", batch);
    if (closed) throw new IllegalStateException("this PreparedModel is closed");
    return programs.computeIfAbsent(batch, this::compile).outputShapes[k].clone();
  }

  public List<String> outputNames() {
    return graph.outputNames;
  }

  public Backend backend() {
    return backend;
  }

  public PrepareOptions options() {
    return options;
  }

  /** Steps executed at the prepared batch size (after fusion), one per line. */
  public String describe() {
    return prepared.describe();
  }

  /** Number of steps executed per run at the prepared batch size (fused chains count once). */
  public int stepCount() {
    return prepared.stepCount();
  }

  /** Floats of intermediate buffers one concurrent run uses at the prepared batch size. */
  public long workspaceFloats() {
    return prepared.workspaceFloats();
  }

  /** Closes every kernel plan; idempotent. */
  @Override
  public void close() {
    closed = true;
    List<Plan> all = new ArrayList<>(plans.values());
    plans.clear();
    all.forEach(Plan::close);
  }
}
