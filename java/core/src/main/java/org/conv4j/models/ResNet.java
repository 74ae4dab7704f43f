package org.conv4j.models;

import java.util.ArrayList;
import java.util.List;
import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Named;
import org.conv4j.nn.Network;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Residual;
import org.conv4j.nn.Sequential;

/**
 * torchvision.models.resnet18/34/50 (0.14): conv1 7x7/2, bn1, relu, maxpool 3x3/2, layer1..4, avgpool, fc. BasicBlock
 * (conv1 3x3 stride s, bn1, relu, conv2 3x3, bn2) for 18/34; Bottleneck v1.5 (conv1 1x1, conv2 3x3 with the
 * stride, conv3 1x1 to 4x planes) for 50; a block whose stride or width changes has downsample = (1x1 conv with the
 * stride, BatchNorm2d). Input 3x224x224.
 */
public final class ResNet {
  private ResNet() {}

  public static Network resnet18(int numClasses) {
    return build("resnet18", false, new int[] {2, 2, 2, 2}, numClasses);
  }

  public static Network resnet34(int numClasses) {
    return build("resnet34", false, new int[] {3, 4, 6, 3}, numClasses);
  }

  public static Network resnet50(int numClasses) {
    return build("resnet50", true, new int[] {3, 4, 6, 3}, numClasses);
  }

  private static Network build(String name, boolean bottleneck, int[] blocks, int numClasses) {
    int expansion = bottleneck ? 4 : 1;
    List<Named> top = new ArrayList<>();
    top.add(new Named("conv1", new Conv2d(3, 64, 7, 2, 3, 1, false)));
    top.add(new Named("bn1", new BatchNorm2d(64)));
    top.add(new Named("relu", new ReLU()));
    top.add(new Named("maxpool", new MaxPool2d(3, 2, 1)));
    int in = 64;
    for (int l = 0; l < 4; l++) {
      int planes = 64 << l;
      int stride = l == 0 ? 1 : 2;
      List<Layer> layer = new ArrayList<>();
      for (int i = 0; i < blocks[l]; i++) {
        int s = i == 0 ? stride : 1;
        layer.add(bottleneck ? bottleneck(in, planes, s) : basic(in, planes, s));
        in = planes * expansion;
      }
      top.add(new Named("layer" + (l + 1), Sequential.of(layer.toArray(new Layer[0]))));
    }
    top.add(new Named("avgpool", new AdaptiveAvgPool2d(1, 1)));
    top.add(new Named("flatten", new Flatten(1)));
    top.add(new Named("fc", new Linear(512 * expansion, numClasses)));
    return new Network(name, new Sequential(top), new int[] {3, 224, 224});
  }

  private static Named downsample(int in, int out, int stride) {
    if (stride == 1 && in == out) return null;
    return new Named("downsample", Sequential.of(new Conv2d(in, out, 1, stride, 0, 1, false), new BatchNorm2d(out)));
  }

  /** torchvision BasicBlock. */
  public static Residual basic(int in, int planes, int stride) {
    Sequential main = Sequential.of(
        new Named("conv1", new Conv2d(in, planes, 3, stride, 1, 1, false)), new Named("bn1", new BatchNorm2d(planes)),
        new Named("relu", new ReLU()),
        new Named("conv2", new Conv2d(planes, planes, 3, 1, 1, 1, false)), new Named("bn2", new BatchNorm2d(planes)));
    return new Residual(main, downsample(in, planes, stride), new Named("relu", new ReLU()));
  }

  /** torchvision Bottleneck (v1.5, stride on the 3x3 conv), width = planes. */
  public static Residual bottleneck(int in, int planes, int stride) {
    int out = planes * 4;
    Sequential main = Sequential.of(
        new Named("conv1", new Conv2d(in, planes, 1, 1, 0, 1, false)), new Named("bn1", new BatchNorm2d(planes)),
        new Named("relu", new ReLU()),
        new Named("conv2", new Conv2d(planes, planes, 3, stride, 1, 1, false)),
        new Named("bn2", new BatchNorm2d(planes)), new Named("relu", new ReLU()),
        new Named("conv3", new Conv2d(planes, out, 1, 1, 0, 1, false)), new Named("bn3", new BatchNorm2d(out)));
    return new Residual(main, downsample(in, out, stride), new Named("relu", new ReLU()));
  }
}
