package org.conv4j.spec;

import java.util.Objects;

/**
 * A validated conv2d configuration, as torch.nn.Conv2d: stride, padding (explicit and possibly asymmetric, or
 * "same"/"valid"), dilation, groups, bias, padding_mode, plus a fused activation epilogue and an optional strict
 * check that the stride tiles the padded input exactly. Immutable; build with {@link #builder}.
 *
 * <p>Output size per dimension: {@code floor((in + padBefore + padAfter - dilation*(k-1) - 1) / stride) + 1}.
 */
public final class Conv2dSpec {
  /** How padding was given. */
  public enum PaddingKind { EXPLICIT, SAME, VALID }

  private final int inChannels, outChannels, kernelH, kernelW, strideH, strideW;
  private final int padTop, padLeft, padBottom, padRight, dilationH, dilationW, groups;
  private final boolean bias, strict;
  private final PaddingKind paddingKind;
  private final PaddingMode paddingMode;
  private final Activation activation;

  private Conv2dSpec(Builder b) {
    inChannels = Check.positive("inChannels", b.inChannels);
    outChannels = Check.positive("outChannels", b.outChannels);
    kernelH = Check.positive("kernelH", b.kernelH);
    kernelW = Check.positive("kernelW", b.kernelW);
    strideH = Check.positive("strideH", b.strideH);
    strideW = Check.positive("strideW", b.strideW);
    dilationH = Check.positive("dilationH", b.dilationH);
    dilationW = Check.positive("dilationW", b.dilationW);
    groups = Check.positive("groups", b.groups);
    padTop = Check.nonNegative("padTop", b.padTop);
    padLeft = Check.nonNegative("padLeft", b.padLeft);
    padBottom = Check.nonNegative("padBottom", b.padBottom);
    padRight = Check.nonNegative("padRight", b.padRight);
    bias = b.bias;
    strict = b.strict;
    paddingKind = Objects.requireNonNull(b.paddingKind, "paddingKind");
    paddingMode = Objects.requireNonNull(b.paddingMode, "paddingMode");
    activation = Objects.requireNonNull(b.activation, "activation");
    if (inChannels % groups != 0) {
      throw new IllegalArgumentException(
          "inChannels must be divisible by groups, got inChannels=" + inChannels + ", groups=" + groups);
    }
    if (outChannels % groups != 0) {
      throw new IllegalArgumentException(
          "outChannels must be divisible by groups, got outChannels=" + outChannels + ", groups=" + groups);
    }
    if (paddingKind == PaddingKind.SAME && (strideH != 1 || strideW != 1)) {
      throw new IllegalArgumentException(
          "padding=\"same\" needs stride 1 (as PyTorch), got stride=(" + strideH + ", " + strideW + ")");
    }
  }

  public static Builder builder(int inChannels, int outChannels, int kernelH, int kernelW) {
    return new Builder(inChannels, outChannels, kernelH, kernelW);
  }

  public static Builder builder(int inChannels, int outChannels, int kernel) {
    return new Builder(inChannels, outChannels, kernel, kernel);
  }

  /**
   * Resolves padding and output size for an input of inH x inW, enforcing PyTorch's rules (the padded input must
   * hold the dilated kernel; reflect pads smaller than the input, circular pads at most the input) and, in strict
   * mode, that the stride tiles the padded input exactly.
   */
  public Conv2dGeometry geometry(int inH, int inW) {
    Check.positive("input height", inH);
    Check.positive("input width", inW);
    int pt = padTop, pl = padLeft, pb = padBottom, pr = padRight;
    if (paddingKind == PaddingKind.VALID) {
      pt = pl = pb = pr = 0;
    } else if (paddingKind == PaddingKind.SAME) {
      int th = dilationH * (kernelH - 1), tw = dilationW * (kernelW - 1);
      pt = th / 2;
      pb = th - pt;
      pl = tw / 2;
      pr = tw - pl;
    }
    if (paddingMode == PaddingMode.REFLECT) {
      checkPad("reflect", "height", inH, pt, pb, true);
      checkPad("reflect", "width", inW, pl, pr, true);
    } else if (paddingMode == PaddingMode.CIRCULAR) {
      checkPad("circular", "width", inW, pl, pr, false);
      checkPad("circular", "height", inH, pt, pb, false);
    }
    int outH = outSize("height", inH, pt, pb, kernelH, dilationH, strideH);
    int outW = outSize("width", inW, pl, pr, kernelW, dilationW, strideW);
    return new Conv2dGeometry(inH, inW, outH, outW, pt, pl, pb, pr);
  }

  private int outSize(String dim, int in, int p0, int p1, int k, int d, int s) {
    long span = (long) in + p0 + p1 - (long) d * (k - 1) - 1;
    if (span < 0) {
      throw new IllegalArgumentException(
          "input " + dim + " " + in + " plus padding " + p0 + "+" + p1 + " = " + (in + p0 + p1)
              + " is smaller than the dilated kernel " + d + "*(" + k + "-1)+1 = " + ((long) d * (k - 1) + 1));
    }
    if (strict && span % s != 0) {
      throw new IllegalArgumentException(
          "stride " + s + " does not tile the padded input " + dim + ": (" + in + " + " + p0 + " + " + p1 + " - "
              + d + "*(" + k + "-1) - 1) / " + s + " = " + span + "/" + s + " is not an integer (strict mode)");
    }
    return (int) (span / s + 1);
  }

  private static void checkPad(String mode, String dim, int in, int p0, int p1, boolean strictlyLess) {
    int p = Math.max(p0, p1);
    if (strictlyLess ? p >= in : p > in) {
      throw new IllegalArgumentException(
          mode + " padding " + p + " on " + dim + " must be " + (strictlyLess ? "<" : "<=") + " the input " + dim
              + " " + in + " (as PyTorch)");
    }
  }

  /** Elements of a weight tensor, OIHW: [outChannels, inChannels/groups, kernelH, kernelW]. */
  public long weightSize() {
    return (long) outChannels * (inChannels / groups) * kernelH * kernelW;
  }

  public String weightShapeText() {
    return "[" + outChannels + ", " + inChannels / groups + ", " + kernelH + ", " + kernelW + "]";
  }

  /** Multiply-adds of one image at the given output size (for GFLOP/s: 2 * this / seconds). */
  public long macs(int outH, int outW) {
    return (long) outChannels * outH * outW * (inChannels / groups) * kernelH * kernelW;
  }

  public boolean isDepthwise() {
    return groups == inChannels && groups > 1 && outChannels % inChannels == 0;
  }

  public int inChannels() { return inChannels; }
  public int outChannels() { return outChannels; }
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
  public int groups() { return groups; }
  public boolean hasBias() { return bias; }
  public boolean strict() { return strict; }
  public PaddingKind paddingKind() { return paddingKind; }
  public PaddingMode paddingMode() { return paddingMode; }
  public Activation activation() { return activation; }

  /** A builder starting from this spec, to derive a variant (e.g. with a fused activation). */
  public Builder toBuilder() {
    Builder b = new Builder(inChannels, outChannels, kernelH, kernelW);
    b.strideH = strideH; b.strideW = strideW; b.padTop = padTop; b.padLeft = padLeft; b.padBottom = padBottom;
    b.padRight = padRight; b.dilationH = dilationH; b.dilationW = dilationW; b.groups = groups; b.bias = bias;
    b.strict = strict; b.paddingKind = paddingKind; b.paddingMode = paddingMode; b.activation = activation;
    return b;
  }

  @Override
  public String toString() {
    return "Conv2d(" + inChannels + ", " + outChannels + ", kernel=(" + kernelH + ", " + kernelW + "), stride=("
        + strideH + ", " + strideW + "), padding=" + (paddingKind == PaddingKind.EXPLICIT
            ? "(" + padTop + ", " + padLeft + ", " + padBottom + ", " + padRight + ")"
            : paddingKind.name().toLowerCase(java.util.Locale.ROOT))
        + ", dilation=(" + dilationH + ", " + dilationW + "), groups=" + groups + ", bias=" + bias
        + ", padding_mode=" + paddingMode.name().toLowerCase(java.util.Locale.ROOT) + ", activation=" + activation
        + (strict ? ", strict" : "") + ")";
  }

  /** Builder with PyTorch's defaults: stride 1, padding 0, dilation 1, groups 1, bias, zeros padding. */
  public static final class Builder {
    private final int inChannels, outChannels, kernelH, kernelW;
    private int strideH = 1, strideW = 1, padTop, padLeft, padBottom, padRight, dilationH = 1, dilationW = 1;
    private int groups = 1;
    private boolean bias = true, strict;
    private PaddingKind paddingKind = PaddingKind.EXPLICIT;
    private PaddingMode paddingMode = PaddingMode.ZEROS;
    private Activation activation = Activation.NONE;

    private Builder(int inChannels, int outChannels, int kernelH, int kernelW) {
      this.inChannels = inChannels;
      this.outChannels = outChannels;
      this.kernelH = kernelH;
      this.kernelW = kernelW;
    }

    public Builder stride(int s) { return stride(s, s); }
    public Builder stride(int sh, int sw) { strideH = sh; strideW = sw; return this; }
    /** Symmetric padding, as PyTorch's int padding. */
    public Builder padding(int p) { return padding(p, p); }
    /** Symmetric padding per dimension, as PyTorch's (ph, pw). */
    public Builder padding(int ph, int pw) { return padding(ph, pw, ph, pw); }
    /** Asymmetric padding: top, left, bottom, right. */
    public Builder padding(int top, int left, int bottom, int right) {
      paddingKind = PaddingKind.EXPLICIT;
      padTop = top; padLeft = left; padBottom = bottom; padRight = right;
      return this;
    }
    /** PyTorch's padding="same" (stride 1 only) — output size equals input size. */
    public Builder paddingSame() { paddingKind = PaddingKind.SAME; return this; }
    /** PyTorch's padding="valid" — no padding. */
    public Builder paddingValid() { paddingKind = PaddingKind.VALID; return this; }
    public Builder dilation(int d) { return dilation(d, d); }
    public Builder dilation(int dh, int dw) { dilationH = dh; dilationW = dw; return this; }
    public Builder groups(int g) { groups = g; return this; }
    public Builder bias(boolean b) { bias = b; return this; }
    public Builder paddingMode(PaddingMode m) { paddingMode = m; return this; }
    public Builder activation(Activation a) { activation = a; return this; }
    /** Rejects a stride that does not tile the padded input exactly, instead of flooring. */
    public Builder strict(boolean s) { strict = s; return this; }

    public Conv2dSpec build() { return new Conv2dSpec(this); }
  }
}
