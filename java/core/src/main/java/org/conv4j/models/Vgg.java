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
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Named;
import org.conv4j.nn.Network;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;

/**
 * torchvision.models.vgg11/13/16/19 and their _bn variants (0.14): features from configurations A, B, D, E (3x3
 * convs with bias, optional BatchNorm2d, ReLU; "M" = 2x2 max pool), avgpool (7x7), classifier; input 3x224x224.
 */
public final class Vgg {
  private static final int M = -1;
  private static final int[] A = {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
  private static final int[] B = {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
  private static final int[] D = {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
  private static final int[] E =
      {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M};

  private Vgg() {}

  public static Network vgg11(int numClasses, boolean batchNorm) {
    return build("vgg11", A, batchNorm, numClasses);
  }

  public static Network vgg13(int numClasses, boolean batchNorm) {
    return build("vgg13", B, batchNorm, numClasses);
  }

  public static Network vgg16(int numClasses, boolean batchNorm) {
    return build("vgg16", D, batchNorm, numClasses);
  }

  public static Network vgg19(int numClasses, boolean batchNorm) {
    return build("vgg19", E, batchNorm, numClasses);
  }

  private static Network build(String name, int[] cfg, boolean bn, int numClasses) {
    List<Layer> f = new ArrayList<>();
    int in = 3;
    for (int v : cfg) {
      if (v == M) {
        f.add(new MaxPool2d(2, 2, 0));
        continue;
      }
      f.add(new Conv2d(in, v, 3, 1, 1, 1, true));
      if (bn) f.add(new BatchNorm2d(v));
      f.add(new ReLU());
      in = v;
    }
    Sequential classifier = Sequential.of(new Linear(512 * 7 * 7, 4096), new ReLU(), new Dropout(0.5f),
        new Linear(4096, 4096), new ReLU(), new Dropout(0.5f), new Linear(4096, numClasses));
    return new Network(name + (bn ? "_bn" : ""), Sequential.of(
        new Named("features", Sequential.of(f.toArray(new Layer[0]))),
        new Named("avgpool", new AdaptiveAvgPool2d(7, 7)), new Named("flatten", new Flatten(1)),
        new Named("classifier", classifier)), new int[] {3, 224, 224});
  }
}
