package org.conv4j.spec;

/**
 * An elementwise activation, usable alone or fused as a kernel epilogue. Codes match C4J_ACT_* in conv4j.h.
 */
public final class Activation {
  /** Activation kinds; {@link #code} is the native constant. */
  public enum Kind {
    NONE(0), RELU(1), LEAKY_RELU(2), CLAMP(3), SIGMOID(4), TANH(5);

    public final int code;

    Kind(int code) {
      this.code = code;
    }
  }

  public static final Activation NONE = new Activation(Kind.NONE, 0f, 0f);
  public static final Activation RELU = new Activation(Kind.RELU, 0f, 0f);
  public static final Activation RELU6 = new Activation(Kind.CLAMP, 0f, 6f);
  public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f, 0f);
  public static final Activation TANH = new Activation(Kind.TANH, 0f, 0f);

  private final Kind kind;
  private final float a;
  private final float b;

  private Activation(Kind kind, float a, float b) {
    this.kind = kind;
    this.a = a;
    this.b = b;
  }

  /** leaky_relu with the given negative slope (PyTorch default 0.01). */
  public static Activation leakyRelu(float negativeSlope) {
    if (!Float.isFinite(negativeSlope)) {
      throw new IllegalArgumentException("negativeSlope must be finite, got " + negativeSlope);
    }
    return new Activation(Kind.LEAKY_RELU, negativeSlope, 0f);
  }

  /** clamp(x, min, max), as torch.clamp / nn.Hardtanh; relu6 is clamp(0, 6). */
  public static Activation clamp(float min, float max) {
    if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
      throw new IllegalArgumentException("clamp needs min <= max, got min=" + min + ", max=" + max);
    }
    return new Activation(Kind.CLAMP, min, max);
  }

  public Kind kind() {
    return kind;
  }

  /** LEAKY_RELU: negative slope; CLAMP: min. */
  public float a() {
    return a;
  }

  /** CLAMP: max. */
  public float b() {
    return b;
  }

  /** The scalar definition every backend follows. */
  public float apply(float x) {
    switch (kind) {
      case NONE:
        return x;
      case RELU:
        return x < 0f ? 0f : x; // NaN propagates, as torch.relu
      case LEAKY_RELU:
        return x >= 0f ? x : x * a;
      case CLAMP:
        return Math.min(Math.max(x, a), b);
      case SIGMOID:
        return (float) (1.0 / (1.0 + Math.exp(-x)));
      case TANH:
        return (float) Math.tanh(x);
      default:
        throw new AssertionError(kind);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Activation)) return false;
    Activation other = (Activation) o;
    return kind == other.kind && Float.compare(a, other.a) == 0 && Float.compare(b, other.b) == 0;
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + Float.hashCode(a) * 17 + Float.hashCode(b);
  }

  @Override
  public String toString() {
    switch (kind) {
      case LEAKY_RELU:
        return "leaky_relu(" + a + ")";
      case CLAMP:
        return "clamp(" + a + ", " + b + ")";
      default:
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
