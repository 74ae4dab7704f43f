package org.conv4j.models;

import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Named;
import org.conv4j.nn.Network;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;

/** torchvision.models.alexnet (0.14): features, avgpool (6x6), classifier; input 3x224x224. */
public final class AlexNet {
  private AlexNet() {}

  public static Network alexnet(int numClasses) {
    Sequential features = Sequential.of(
        new Conv2d(3, 64, 11, 4, 2, 1, true), new ReLU(), new MaxPool2d(3, 2, 0),
        new Conv2d(64, 192, 5, 1, 2, 1, true), new ReLU(), new MaxPool2d(3, 2, 0),
        new Conv2d(192, 384, 3, 1, 1, 1, true), new ReLU(),
        new Conv2d(384, 256, 3, 1, 1, 1, true), new ReLU(),
        new Conv2d(256, 256, 3, 1, 1, 1, true), new ReLU(), new MaxPool2d(3, 2, 0));
    Sequential classifier = Sequential.of(
        new Dropout(0.5f), new Linear(256 * 6 * 6, 4096), new ReLU(),
        new Dropout(0.5f), new Linear(4096, 4096), new ReLU(),
        new Linear(4096, numClasses));
    return new Network("alexnet", Sequential.of(new Named("features", features),
        new Named("avgpool", new AdaptiveAvgPool2d(6, 6)), new Named("flatten", new Flatten(1)),
        new Named("classifier", classifier)), new int[] {3, 224, 224});
  }
}
