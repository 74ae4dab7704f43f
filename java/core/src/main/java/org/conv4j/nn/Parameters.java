package org.conv4j.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.conv4j.Tensor;
import org.conv4j.io.Safetensors;

/**
 * A state dict: parameter tensors by PyTorch name, in insertion order. Immutable (tensors are treated as read-only
 * and never exposed for writing by this library). Build one from a map, from a safetensors file, or as
 * deterministic random weights for a layer; {@link #checkFor} matches it against what a layer declares.
 */
public final class Parameters {
  private final Map<String, Tensor> tensors;

  private Parameters(Map<String, Tensor> tensors) {
    this.tensors = Collections.unmodifiableMap(tensors);
  }

  /** Wraps name -> tensor (the map is copied, the tensors are not). */
  public static Parameters of(Map<String, Tensor> tensors) {
    return new Parameters(new LinkedHashMap<>(tensors));
  }

  /** Every F32 (or converted F16/BF16) tensor of a safetensors file except num_batches_tracked counters. */
  public static Parameters load(Path safetensors) throws IOException {
    return new Parameters(Safetensors.read(safetensors, k -> !k.endsWith("num_batches_tracked")));
  }

  /**
   * Deterministic random parameters for every tensor layer declares: each tensor's values depend only on seed and
   * its name, so adding a layer does not change the others. Scales follow {@link ParameterSpec.Init}.
   */
  public static Parameters random(Layer layer, long seed) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (ParameterSpec p : declared(layer)) {
      SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + p.name().hashCode());
      float[] a = new float[Math.toIntExact(Tensor.numel(p.shape()))];
      double lo, hi;
      switch (p.init()) {
        case WEIGHT: hi = Math.sqrt(6.0 / p.fanIn()); lo = -hi; break;
        case BIAS: hi = 1.0 / Math.sqrt(p.fanIn()); lo = -hi; break;
        case BN_WEIGHT: lo = 0.5; hi = 1.0; break;
        case BN_VAR: lo = 0.5; hi = 1.5; break;
        default: lo = -0.1; hi = 0.1;
      }
      for (int i = 0; i < a.length; i++) a[i] = (float) (lo + r.nextDouble() * (hi - lo));
      m.put(p.name(), Tensor.of(a, p.shape()));
    }
    return new Parameters(m);
  }

  /** What layer declares at the root path, in state_dict order. */
  public static List<ParameterSpec> declared(Layer layer) {
    List<ParameterSpec> out = new ArrayList<>();
    layer.declare("", out);
    return out;
  }

  /**
   * Returns this if it holds exactly the tensors layer declares with the declared shapes; otherwise an
   * IllegalArgumentException listing every missing tensor (with the expected shape), every mis-shaped one (both
   * shapes) and every unexpected one. BatchNorm's {@code num_batches_tracked} counters are ignored.
   */
  public Parameters checkFor(Layer layer, String what) {
    List<String> problems = new ArrayList<>();
    Set<String> expected = new HashSet<>();
    for (ParameterSpec p : declared(layer)) {
      expected.add(p.name());
      Tensor t = tensors.get(p.name());
      if (t == null) {
        problems.add("missing " + p.name() + " (expected shape " + Arrays.toString(p.shape()) + ")");
      } else if (!Arrays.equals(t.shape(), p.shape())) {
        problems.add(p.name() + " has shape " + Arrays.toString(t.shape()) + " but " + what + " expects "
            + Arrays.toString(p.shape()));
      }
    }
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      if (!expected.contains(e.getKey()) && !e.getKey().endsWith("num_batches_tracked")) {
        problems.add("unexpected " + e.getKey() + " " + Arrays.toString(e.getValue().shape()));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("parameters do not match " + what + " (" + problems.size() + " problem"
          + (problems.size() > 1 ? "s" : "") + "): " + String.join("; ", problems));
    }
    return this;
  }

  /** The data of a tensor, or an IllegalArgumentException naming it. */
  public float[] get(String name) {
    return tensor(name).data();
  }

  public Tensor tensor(String name) {
    Tensor t = tensors.get(name);
    if (t == null) throw new IllegalArgumentException("no parameter named " + name);
    return t;
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** Read-only view, in insertion order. */
  public Map<String, Tensor> asMap() {
    return tensors;
  }

  /** Writes every tensor as F32 safetensors. */
  public void save(Path file) throws IOException {
    Safetensors.write(file, tensors, Map.of());
  }

  @Override
  public String toString() {
    return "Parameters(" + tensors.size() + " tensors)";
  }
}
