package org.conv4j.models;

import java.util.ArrayList;
import java.util.List;
import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Named;
import org.conv4j.nn.Network;
import org.conv4j.nn.ReLU6;
import org.conv4j.nn.Residual;
import org.conv4j.nn.Sequential;

/**
 * torchvision.models.mobilenet_v2 (0.14, width 1.0): features[0] = Conv2dNormActivation(3, 32, stride 2, ReLU6),
 * 17 InvertedResidual blocks from the (t, c, n, s) table, features[18] = 1x1 Conv2dNormActivation(320, 1280);
 * global average pool, classifier = (Dropout(0.2), Linear(1280, numClasses)). Input 3x224x224.
 */
public final class MobileNetV2 {
  /** expansion t, output channels c, repeats n, first stride s. */
  private static final int[][] SETTINGS = {
      {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

  private MobileNetV2() {}

  public static Network mobilenetV2(int numClasses) {
    List<Layer> features = new ArrayList<>();
    features.add(convBnRelu6(3, 32, 3, 2, 1));
    int in = 32;
    for (int[] s : SETTINGS) {
      for (int i = 0; i < s[2]; i++) {
        features.add(invertedResidual(in, s[1], i == 0 ? s[3] : 1, s[0]));
        in = s[1];
      }
    }
    features.add(convBnRelu6(in, 1280, 1, 1, 1));
    Sequential classifier = Sequential.of(new Dropout(0.2f), new Linear(1280, numClasses));
    return new Network("mobilenet_v2", Sequential.of(
        new Named("features", Sequential.of(features.toArray(new Layer[0]))),
        new Named("avgpool", new AdaptiveAvgPool2d(1, 1)), new Named("flatten", new Flatten(1)),
        new Named("classifier", classifier)), new int[] {3, 224, 224});
  }

  /** torchvision Conv2dNormActivation: (conv without bias, padding (k-1)/2, BatchNorm2d, ReLU6) named 0, 1, 2. */
  static Sequential convBnRelu6(int in, int out, int kernel, int stride, int groups) {
    return Sequential.of(new Conv2d(in, out, kernel, stride, (kernel - 1) / 2, groups, false), new BatchNorm2d(out),
        new ReLU6());
  }

  /** torchvision InvertedResidual: expand 1x1 (if t != 1), depthwise 3x3, project 1x1 + BN; x + conv(x) if it fits. */
  public static Layer invertedResidual(int in, int out, int stride, int expandRatio) {
    int hidden = Math.round(in * (float) expandRatio);
    List<Layer> layers = new ArrayList<>();
    if (expandRatio != 1) layers.add(convBnRelu6(in, hidden, 1, 1, 1));
    layers.add(convBnRelu6(hidden, hidden, 3, stride, hidden));
    layers.add(new Conv2d(hidden, out, 1, 1, 0, 1, false));
    layers.add(new BatchNorm2d(out));
    Sequential conv = Sequential.of(new Named("conv", Sequential.of(layers.toArray(new Layer[0]))));
    return stride == 1 && in == out ? new Residual(conv, null, null) : conv;
  }
}
