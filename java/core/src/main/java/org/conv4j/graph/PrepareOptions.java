package org.conv4j.graph;

import java.util.Objects;
import org.conv4j.backend.Conv2dAlgorithm;

/**
 * How {@link Graph#prepare} prepares a graph.
 *
 * @param layout layout of the input tensors given to run (and of the prepare-time input shape)
 * @param fuse whether to fold BatchNorm2d into the preceding conv and fuse a following activation / residual add
 *     into the conv epilogue; false runs every node as its own step (tests compare both)
 * @param convAlgorithm the conv2d algorithm every conv plan is asked for; AUTO lets the backend choose
 */
public record PrepareOptions(Layout layout, boolean fuse, Conv2dAlgorithm convAlgorithm) {
  public static final PrepareOptions DEFAULT = new PrepareOptions(Layout.NCHW, true, Conv2dAlgorithm.AUTO);

  public PrepareOptions {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(convAlgorithm, "convAlgorithm");
  }

  public PrepareOptions withLayout(Layout l) {
    return new PrepareOptions(l, fuse, convAlgorithm);
  }

  public PrepareOptions withFuse(boolean f) {
    return new PrepareOptions(layout, f, convAlgorithm);
  }

  public PrepareOptions withConvAlgorithm(Conv2dAlgorithm a) {
    return new PrepareOptions(layout, fuse, a);
  }
}
