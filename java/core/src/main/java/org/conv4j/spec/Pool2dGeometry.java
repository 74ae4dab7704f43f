package org.conv4j.spec;

/**
 * A pooling resolved against one input size: what both backends execute. kind is MAX, AVG or ADAPTIVE_AVG
 * (global max arrives here as MAX over the whole plane).
 */
public record Pool2dGeometry(
    Pool2dSpec.Kind kind, int inH, int inW, int outH, int outW, int kernelH, int kernelW, int strideH,
    int strideW, int padTop, int padLeft, int padBottom, int padRight, int dilationH, int dilationW,
    boolean ceilMode, boolean countIncludePad) {}
