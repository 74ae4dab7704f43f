package org.conv4j.spec;

import java.util.Objects;

/**
 * A validated 2-D pooling: max_pool2d (kernel, stride, padding, dilation, ceil_mode), avg_pool2d (kernel, stride,
 * padding, ceil_mode, count_include_pad), adaptive_avg_pool2d to any output size, and the global max/avg forms.
 * Semantics and checks are PyTorch's, including the divisor of avg windows at the edges and the rule that a
 * ceil_mode window may not start inside the right/bottom padding. Codes match C4J_POOL_* in conv4j.h.
 */
public final class Pool2dSpec {
  public enum Kind {
    MAX(0), AVG(1), ADAPTIVE_AVG(2), GLOBAL_MAX(0);

    /** The native pool kind this runs as (global max is a max pool with the kernel of the whole input). */
    public final int code;

    Kind(int code) {
      this.code = code;
    }
  }

  private final Kind kind;
  private final int kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight;
  private final int dilationH, dilationW, outH, outW;
  private final boolean ceilMode, countIncludePad;

  private Pool2dSpec(Builder b) {
    kind = Objects.requireNonNull(b.kind, "kind");
    kernelH = b.kernelH;
    kernelW = b.kernelW;
    strideH = b.strideH;
    strideW = b.strideW;
    padTop = b.padTop;
    padLeft = b.padLeft;
    padBottom = b.padBottom;
    padRight = b.padRight;
    dilationH = b.dilationH;
    dilationW = b.dilationW;
    ceilMode = b.ceilMode;
    countIncludePad = b.countIncludePad;
    outH = b.outH;
    outW = b.outW;
    if (kind == Kind.MAX || kind == Kind.AVG) {
      Check.positive("kernelH", kernelH);
      Check.positive("kernelW", kernelW);
      Check.positive("strideH", strideH);
      Check.positive("strideW", strideW);
      Check.positive("dilationH", dilationH);
      Check.positive("dilationW", dilationW);
      Check.nonNegative("padTop", padTop);
      Check.nonNegative("padLeft", padLeft);
      Check.nonNegative("padBottom", padBottom);
      Check.nonNegative("padRight", padRight);
      if (kind == Kind.AVG && (dilationH != 1 || dilationW != 1)) {
        throw new IllegalArgumentException(
            "avg_pool2d has no dilation, got dilation=(" + dilationH + ", " + dilationW + ")");
      }
      if (Math.max(padTop, padBottom) > kernelH / 2 || Math.max(padLeft, padRight) > kernelW / 2) {
        throw new IllegalArgumentException(
            "pad should be at most half of kernel size (as PyTorch), got padding=(" + padTop + ", " + padLeft
                + ", " + padBottom + ", " + padRight + "), kernel=(" + kernelH + ", " + kernelW + ")");
      }
    } else if (kind == Kind.ADAPTIVE_AVG) {
      Check.positive("outputH", outH);
      Check.positive("outputW", outW);
    }
  }

  /** max_pool2d; stride defaults to the kernel size, as PyTorch. */
  public static Builder max(int kernelH, int kernelW) {
    return new Builder(Kind.MAX, kernelH, kernelW);
  }

  public static Builder max(int kernel) {
    return max(kernel, kernel);
  }

  /** avg_pool2d; stride defaults to the kernel size, count_include_pad to true, as PyTorch. */
  public static Builder avg(int kernelH, int kernelW) {
    return new Builder(Kind.AVG, kernelH, kernelW);
  }

  public static Builder avg(int kernel) {
    return avg(kernel, kernel);
  }

  /** adaptive_avg_pool2d to outH x outW. */
  public static Pool2dSpec adaptiveAvg(int outH, int outW) {
    Builder b = new Builder(Kind.ADAPTIVE_AVG, 1, 1);
    b.outH = outH;
    b.outW = outW;
    return b.build();
  }

  /** Global average pooling: adaptive_avg_pool2d to 1x1. */
  public static Pool2dSpec globalAvg() {
    return adaptiveAvg(1, 1);
  }

  /** Global max pooling over the whole H x W plane. */
  public static Pool2dSpec globalMax() {
    return new Builder(Kind.GLOBAL_MAX, 1, 1).build();
  }

  /**
   * The concrete window for an input of inH x inW: for MAX/AVG the spec's own; for GLOBAL_MAX the whole plane; for
   * ADAPTIVE_AVG only outH/outW are meaningful (windows follow floor(i*in/out) .. ceil((i+1)*in/out)).
   */
  public Pool2dGeometry geometry(int inH, int inW) {
    Check.positive("input height", inH);
    Check.positive("input width", inW);
    switch (kind) {
      case GLOBAL_MAX:
        return new Pool2dGeometry(Kind.MAX, inH, inW, 1, 1, inH, inW, 1, 1, 0, 0, 0, 0, 1, 1, false, true);
      case ADAPTIVE_AVG:
        return new Pool2dGeometry(kind, inH, inW, outH, outW, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, false, true);
      default:
        int oh = outSize("height", inH, padTop, padBottom, kernelH, dilationH, strideH);
        int ow = outSize("width", inW, padLeft, padRight, kernelW, dilationW, strideW);
        return new Pool2dGeometry(kind, inH, inW, oh, ow, kernelH, kernelW, strideH, strideW, padTop, padLeft,
            padBottom, padRight, dilationH, dilationW, ceilMode, countIncludePad);
    }
  }

  private int outSize(String dim, int in, int p0, int p1, int k, int d, int s) {
    long num = (long) in + p0 + p1 - (long) d * (k - 1) - 1 + (ceilMode ? s - 1 : 0);
    long out = Math.floorDiv(num, (long) s) + 1;
    // a ceil_mode window must start inside the input or the left/top padding
    if (ceilMode && (out - 1) * s >= (long) in + p0) out--;
    if (out < 1) {
      throw new IllegalArgumentException(
          "pooling output " + dim + " is " + out + " (too small): input " + in + ", padding " + p0 + "+" + p1
              + ", kernel " + k + ", dilation " + d + ", stride " + s + (ceilMode ? ", ceil_mode" : ""));
    }
    return (int) out;
  }

  public Kind kind() { return kind; }
  public int kernelH() { return kernelH; }
  public int kernelW() { return kernelW; }
  public int strideH() { return strideH; }
  public int strideW() { return strideW; }
  public int padTop() { return padTop; }
  public int padLeft() { return padLeft; }
  public int padBottom() { return padBottom; }
  public int padRight() { return padRight; }
  public int dilationH() { return dilationH; }
  public int dilationW() { return dilationW; }
  public boolean ceilMode() { return ceilMode; }
  public boolean countIncludePad() { return countIncludePad; }
  /** ADAPTIVE_AVG output height. */
  public int outputH() { return outH; }
  public int outputW() { return outW; }

  @Override
  public String toString() {
    switch (kind) {
      case ADAPTIVE_AVG:
        return "AdaptiveAvgPool2d(" + outH + ", " + outW + ")";
      case GLOBAL_MAX:
        return "GlobalMaxPool2d()";
      default:
        return (kind == Kind.MAX ? "MaxPool2d" : "AvgPool2d") + "(kernel=(" + kernelH + ", " + kernelW
            + "), stride=(" + strideH + ", " + strideW + "), padding=(" + padTop + ", " + padLeft + ", "
            + padBottom + ", " + padRight + ")"
            + (kind == Kind.MAX ? ", dilation=(" + dilationH + ", " + dilationW + ")" : ", count_include_pad="
                + countIncludePad)
            + ", ceil_mode=" + ceilMode + ")";
    }
  }

  public static final class Builder {
    private final Kind kind;
    private final int kernelH, kernelW;
    private int strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH = 1, dilationW = 1;
    private int outH, outW;
    private boolean ceilMode, countIncludePad = true;

    private Builder(Kind kind, int kernelH, int kernelW) {
      this.kind = kind;
      this.kernelH = kernelH;
      this.kernelW = kernelW;
      this.strideH = kernelH;
      this.strideW = kernelW;
    }

    public Builder stride(int s) { return stride(s, s); }
    public Builder stride(int sh, int sw) { strideH = sh; strideW = sw; return this; }
    public Builder padding(int p) { return padding(p, p); }
    public Builder padding(int ph, int pw) { return padding(ph, pw, ph, pw); }
    public Builder padding(int top, int left, int bottom, int right) {
      padTop = top; padLeft = left; padBottom = bottom; padRight = right;
      return this;
    }
    public Builder dilation(int d) { return dilation(d, d); }
    public Builder dilation(int dh, int dw) { dilationH = dh; dilationW = dw; return this; }
    public Builder ceilMode(boolean c) { ceilMode = c; return this; }
    public Builder countIncludePad(boolean c) { countIncludePad = c; return this; }

    public Pool2dSpec build() { return new Pool2dSpec(this); }
  }
}
