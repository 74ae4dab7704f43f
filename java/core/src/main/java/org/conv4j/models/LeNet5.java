package org.conv4j.models;

import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Named;
import org.conv4j.nn.Network;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;

/**
 * LeNet-5 in its common PyTorch form (ReLU and max pooling in place of the 1998 paper's scaled tanh and trainable
 * subsampling): features = conv(1->6, 5) relu maxpool(2) conv(6->16, 5) relu maxpool(2); classifier = 400->120
 * relu 120->84 relu 84->numClasses. Parameter names {@code features.0.weight} ... {@code classifier.4.bias}, as an
 * nn.Module with {@code features} and {@code classifier} Sequentials and {@code torch.flatten(x, 1)} in between.
 */
public final class LeNet5 {
  private LeNet5() {}

  /** The classic 1x32x32 input, no padding. */
  public static Network classic(int numClasses) {
    return build("lenet5", 0, 32, numClasses);
  }

  /** The MNIST form: 1x28x28 input, the first conv padded by 2 so the sizes match the classic net. */
  public static Network mnist(int numClasses) {
    return build("lenet5_mnist", 2, 28, numClasses);
  }

  private static Network build(String name, int pad, int size, int numClasses) {
    Sequential features = Sequential.of(new Conv2d(1, 6, 5, 1, pad, 1, true), new ReLU(), new MaxPool2d(2),
        new Conv2d(6, 16, 5, 1, 0, 1, true), new ReLU(), new MaxPool2d(2));
    Sequential classifier = Sequential.of(new Linear(16 * 5 * 5, 120), new ReLU(), new Linear(120, 84), new ReLU(),
        new Linear(84, numClasses));
    return new Network(name, Sequential.of(new Named("features", features), new Named("flatten", new Flatten(1)),
        new Named("classifier", classifier)), new int[] {1, size, size});
  }
}
