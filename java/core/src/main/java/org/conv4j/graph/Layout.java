package org.conv4j.graph;

/**
 * Memory layout of a prepared model's input tensor. Inside, everything is NCHW; an NHWC input
 * ([batch, height, width, channels], as images usually arrive) is converted once at the edge of each run.
 */
public enum Layout {
  NCHW, NHWC
}
