package org.conv4j.models;

import java.util.List;
import org.conv4j.nn.AvgPool2d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Concat;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.ConvTranspose2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.LeakyReLU;
import org.conv4j.nn.Linear;
import org.conv4j.nn.LogSoftmax;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Named;
import org.conv4j.nn.Network;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Sigmoid;
import org.conv4j.nn.Tanh;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.PaddingMode;
import org.conv4j.spec.Pool2dSpec;

/** The Java twin of TinyNet in gen_model_fixtures.py: same layers, same state_dict names. Input 3x20x20. */
final class TinyNet {
  private TinyNet() {}

  static Network network() {
    Sequential stem = Sequential.of(new Conv2d(3, 16, 3, 1, 1, 1, false), new BatchNorm2d(16), new LeakyReLU(0.1f));
    Sequential fire = Sequential.of(
        new Named("squeeze", new Conv2d(32, 8, 1, 1, 0, 1, true)), new Named("squeeze_activation", new ReLU()),
        Named.inline(new Concat(List.of(
            Sequential.of(new Named("expand1x1", new Conv2d(8, 16, 1, 1, 0, 1, true)),
                new Named("expand1x1_activation", new ReLU())),
            Sequential.of(new Named("expand3x3", new Conv2d(8, 16, 3, 1, 1, 1, true)),
                new Named("expand3x3_activation", new ReLU()))), 1)));
    Sequential head = Sequential.of(
        new Conv2d(Conv2dSpec.builder(8, 8, 3).padding(1).paddingMode(PaddingMode.REFLECT).build()), new Sigmoid(),
        new MaxPool2d(Pool2dSpec.max(3).stride(2).ceilMode(true).build()), new Flatten(), new Dropout(0.3f),
        new Linear(8 * 5 * 5, 10), new LogSoftmax(1));
    return new Network("tinynet", Sequential.of(
        new Named("stem", stem),
        new Named("block1", ResNet.basic(16, 32, 2)),
        new Named("block2", MobileNetV2.invertedResidual(32, 32, 1, 6)),
        new Named("fire", fire),
        new Named("pool", new AvgPool2d(3, 2, 1)),
        new Named("up", new ConvTranspose2d(ConvTranspose2dSpec.builder(32, 8, 2).stride(2).build())),
        new Named("act", new Tanh()),
        new Named("norm", new BatchNorm2d(8)),
        new Named("head", head)), new int[] {3, 20, 20});
  }
}
