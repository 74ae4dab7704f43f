package org.conv4j.spec;

/**
 * A convolution or pooling resolved against one input size: the concrete pads and the output size.
 * padTop/padLeft/padBottom/padRight are what the kernel applies (after "same"/"valid" were resolved).
 */
public record Conv2dGeometry(
    int inH, int inW, int outH, int outW, int padTop, int padLeft, int padBottom, int padRight) {}
