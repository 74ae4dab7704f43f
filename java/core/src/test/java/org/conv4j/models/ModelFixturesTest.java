package org.conv4j.models;

import static org.conv4j.graph.TestSupport.assertCloseScaled;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.graph.PreparedModel;
import org.conv4j.graph.TestSupport;
import org.conv4j.io.Npy;
import org.conv4j.nn.Model;
import org.conv4j.nn.Network;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model class against PyTorch (gen_model_fixtures.py): torchvision-initialised weights with calibrated
 * BatchNorm statistics, loaded from safetensors; the reference output is PyTorch's float64 forward of the same
 * float32 weights and input.
 *
 * <p>Tolerance: |y - y_ref| <= 1e-3 * max|y_ref|. Each float32 dot product of n terms errs by at most
 * gamma(n) = n u / (1 - n u) of the sum of |terms| (u = 2^-24); the largest here, n = 4608 (3x3x512) and 25088
 * (VGG's first fully connected layer), bound it by 2.7e-4 and 1.5e-3 of the term magnitudes, and errors compound
 * through up to 50 layers. The observed errors are far below the bound (about 1e-6..1e-5 of max|y|; the test
 * prints them), while a wrong index, padding, fold or epilogue moves outputs by the order of max|y| itself.
 *
 * <p>The committed fixtures (LeNet5 both forms, TinyNet) always run. The large ones (AlexNet, VGG-16, ResNet-18/50,
 * MobileNetV2, about 1 GB) run when {@code gen_model_fixtures.py --big} has written them: by default to
 * {@code fixtures-big/models} at the repository root, or the directory in the system property
 * {@value #BIG_PROPERTY}.
 */
class ModelFixturesTest {
  static final String BIG_PROPERTY = "conv4j.model.fixtures";
  private static final double TOL = 1e-3;

  static Path small(String name) throws URISyntaxException {
    return Path.of(ModelFixturesTest.class.getResource("/models/" + name).toURI());
  }

  static Path bigDir() {
    return Path.of(System.getProperty(BIG_PROPERTY, "../../fixtures-big/models"));
  }

  private static List<Arguments> cases(String[] names, List<Supplier<Network>> nets) {
    List<Arguments> out = new ArrayList<>();
    for (Backend be : TestSupport.backends()) {
      for (int i = 0; i < names.length; i++) out.add(Arguments.of(names[i], nets.get(i), be));
    }
    return out;
  }

  static List<Arguments> smallCases() {
    return cases(new String[] {"lenet5", "lenet5_mnist", "tinynet"},
        List.of(() -> LeNet5.classic(10), () -> LeNet5.mnist(10), TinyNet::network));
  }

  static List<Arguments> bigCases() {
    return cases(new String[] {"alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2"},
        List.of(() -> AlexNet.alexnet(1000), () -> Vgg.vgg16(1000, false), () -> ResNet.resnet18(1000),
            () -> ResNet.resnet50(1000), () -> MobileNetV2.mobilenetV2(1000)));
  }

  static void check(Path dir, String name, Network net, Backend be) throws IOException {
    Model m = net.load(dir.resolve("weights.safetensors"));
    Tensor x = Npy.read(dir.resolve("input.npy"));
    Tensor expected = Npy.read(dir.resolve("output.npy"));
    try (PreparedModel p = m.prepare(be, x.dim(0))) {
      Tensor y = p.run(x);
      double err = 0;
      for (int i = 0; i < y.numel(); i++) err = Math.max(err, Math.abs(y.data()[i] - expected.data()[i]));
      System.out.printf("%s on %s: max|y - y_ref| / max|y_ref| = %.2e (%d steps)%n", name, be, err
          / TestSupport.maxAbs(expected.data()), p.stepCount());
      assertCloseScaled(expected, y, TOL, name + " on " + be);
    }
  }

  @ParameterizedTest(name = "{0} on {2}")
  @MethodSource("smallCases")
  void committedModelsMatchPytorch(String name, Supplier<Network> net, Backend be) throws Exception {
    check(small(name), name, net.get(), be);
  }

  @ParameterizedTest(name = "{0} on {2}")
  @MethodSource("bigCases")
  void largeTorchvisionModelsMatchPytorch(String name, Supplier<Network> net, Backend be) throws Exception {
    Path dir = bigDir().resolve(name);
    Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("output.npy")),
        "no " + dir + " (run gen_model_fixtures.py --big or set -D" + BIG_PROPERTY + ")");
    check(dir, name, net.get(), be);
  }
}
