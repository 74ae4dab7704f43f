package org.conv4j.bench;

import java.util.concurrent.TimeUnit;
import org.conv4j.backend.Plan;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One kernel family's benchmark: a plan prepared once per trial (weights packed in setup), then only
 * {@code Plan.run} on one image is measured. Sample mode times single runs, so the report can give medians.
 * Subclasses add the {@code shape} parameter, an enum of named layer shapes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class KernelBench {
  @Param({"native", "java"})
  public String backend;

  /** Threads the backend's kernels use (the benchmark itself runs on one JMH thread). */
  @Param({"1", "2"})
  public int threads;

  private Plan plan;
  private float[] x;
  private float[] y;

  /** The shape parameter of the subclass. */
  protected abstract BenchShape benchShape();

  @Setup(Level.Trial)
  public void setUp() {
    plan = benchShape().prepare(BenchFixtures.backend(backend, threads));
    x = BenchFixtures.random(plan.inputSize(), 1);
    y = new float[plan.outputSize()];
  }

  @Benchmark
  public float[] run() {
    plan.run(x, 0, y, 0, 1);
    return y;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    plan.close();
  }
}
