package org.conv4j.spec;

import java.util.Objects;

/**
 * A validated conv_transpose2d configuration, as torch.nn.ConvTranspose2d (weights IOHW:
 * [inChannels, outChannels/groups, kH, kW]). Padding may be asymmetric (ONNX pads); PyTorch's symmetric form is
 * the common case. Output size per dimension:
 * {@code (in - 1)*stride - padBefore - padAfter + dilation*(k - 1) + outputPadding + 1}, with PyTorch's rule
 * {@code outputPadding < max(stride, dilation)}.
 */
public final class ConvTranspose2dSpec {
  private final int inChannels, outChannels, kernelH, kernelW, strideH, strideW;
  private final int padTop, padLeft, padBottom, padRight, outputPadH, outputPadW, dilationH, dilationW, groups;
  private final boolean bias;
  private final Activation activation;

  private ConvTranspose2dSpec(Builder b) {
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
    outputPadH = Check.nonNegative("outputPaddingH", b.outputPadH);
    outputPadW = Check.nonNegative("outputPaddingW", b.outputPadW);
    bias = b.bias;
    activation = Objects.requireNonNull(b.activation, "activation");
    if (inChannels % groups != 0) {
      throw new IllegalArgumentException(
          "inChannels must be divisible by groups, got inChannels=" + inChannels + ", groups=" + groups);
    }
    if (outChannels % groups != 0) {
      throw new IllegalArgumentException(
          "outChannels must be divisible by groups, got outChannels=" + outChannels + ", groups=" + groups);
    }
    if (outputPadH >= Math.max(strideH, dilationH) || outputPadW >= Math.max(strideW, dilationW)) {
      throw new IllegalArgumentException(
          "outputPadding must be smaller than either stride or dilation (as PyTorch), got outputPadding=("
              + outputPadH + ", " + outputPadW + "), stride=(" + strideH + ", " + strideW + "), dilation=("
              + dilationH + ", " + dilationW + ")");
    }
  }

  public static Builder builder(int inChannels, int outChannels, int kernelH, int kernelW) {
    return new Builder(inChannels, outChannels, kernelH, kernelW);
  }

  public static Builder builder(int inChannels, int outChannels, int kernel) {
    return new Builder(inChannels, outChannels, kernel, kernel);
  }

  /** Output size for an input of inH x inW, or an IllegalArgumentException with the formula's numbers. */
  public Conv2dGeometry geometry(int inH, int inW) {
    Check.positive("input height", inH);
    Check.positive("input width", inW);
    int outH = outSize("height", inH, padTop, padBottom, kernelH, dilationH, strideH, outputPadH);
    int outW = outSize("width", inW, padLeft, padRight, kernelW, dilationW, strideW, outputPadW);
    return new Conv2dGeometry(inH, inW, outH, outW, padTop, padLeft, padBottom, padRight);
  }

  private static int outSize(String dim, int in, int p0, int p1, int k, int d, int s, int op) {
    long out = (long) (in - 1) * s - p0 - p1 + (long) d * (k - 1) + op + 1;
    if (out < 1 || out > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "output " + dim + " (" + in + "-1)*" + s + " - " + p0 + " - " + p1 + " + " + d + "*(" + k + "-1) + " + op
              + " + 1 = " + out + " must be >= 1");
    }
    return (int) out;
  }

  /** Elements of a weight tensor, IOHW: [inChannels, outChannels/groups, kernelH, kernelW]. */
  public long weightSize() {
    return (long) inChannels * (outChannels / groups) * kernelH * kernelW;
  }

  public String weightShapeText() {
    return "[" + inChannels + ", " + outChannels / groups + ", " + kernelH + ", " + kernelW + "]";
  }

  /** Multiply-adds of one image with inH x inW input: every input pixel meets every kernel tap once. */
  public long macs(int inH, int inW) {
    return (long) inChannels * inH * inW * (outChannels / groups) * kernelH * kernelW;
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
  public int outputPadH() { return outputPadH; }
  public int outputPadW() { return outputPadW; }
  public int dilationH() { return dilationH; }
  public int dilationW() { return dilationW; }
  public int groups() { return groups; }
  public boolean hasBias() { return bias; }
  public Activation activation() { return activation; }

  public Builder toBuilder() {
    Builder b = new Builder(inChannels, outChannels, kernelH, kernelW);
    b.strideH = strideH; b.strideW = strideW; b.padTop = padTop; b.padLeft = padLeft; b.padBottom = padBottom;
    b.padRight = padRight; b.outputPadH = outputPadH; b.outputPadW = outputPadW; b.dilationH = dilationH;
    b.dilationW = dilationW; b.groups = groups; b.bias = bias; b.activation = activation;
    return b;
  }

  @Override
  public String toString() {
    return "ConvTranspose2d(" + inChannels + ", " + outChannels + ", kernel=(" + kernelH + ", " + kernelW
        + "), stride=(" + strideH + ", " + strideW + "), padding=(" + padTop + ", " + padLeft + ", " + padBottom
        + ", " + padRight + "), output_padding=(" + outputPadH + ", " + outputPadW + "), dilation=(" + dilationH
        + ", " + dilationW + "), groups=" + groups + ", bias=" + bias + ", activation=" + activation + ")";
  }

  /** Builder with PyTorch's defaults: stride 1, padding 0, output_padding 0, dilation 1, groups 1, bias. */
  public static final class Builder {
    private final int inChannels, outChannels, kernelH, kernelW;
    private int strideH = 1, strideW = 1, padTop, padLeft, padBottom, padRight, outputPadH, outputPadW;
    private int dilationH = 1, dilationW = 1, groups = 1;
    private boolean bias = true;
    private Activation activation = Activation.NONE;

    private Builder(int inChannels, int outChannels, int kernelH, int kernelW) {
      this.inChannels = inChannels;
      this.outChannels = outChannels;
      this.kernelH = kernelH;
      this.kernelW = kernelW;
    }

    public Builder stride(int s) { return stride(s, s); }
    public Builder stride(int sh, int sw) { strideH = sh; strideW = sw; return this; }
    public Builder padding(int p) { return padding(p, p); }
    public Builder padding(int ph, int pw) { return padding(ph, pw, ph, pw); }
    public Builder padding(int top, int left, int bottom, int right) {
      padTop = top; padLeft = left; padBottom = bottom; padRight = right;
      return this;
    }
    public Builder outputPadding(int op) { return outputPadding(op, op); }
    public Builder outputPadding(int oph, int opw) { outputPadH = oph; outputPadW = opw; return this; }
    public Builder dilation(int d) { return dilation(d, d); }
    public Builder dilation(int dh, int dw) { dilationH = dh; dilationW = dw; return this; }
    public Builder groups(int g) { groups = g; return this; }
    public Builder bias(boolean b) { bias = b; return this; }
    public Builder activation(Activation a) { activation = a; return this; }

    public ConvTranspose2dSpec build() { return new ConvTranspose2dSpec(this); }
  }
}
