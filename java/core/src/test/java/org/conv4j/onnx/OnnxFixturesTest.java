package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.BackendKind;
import org.conv4j.backend.Backends;
import org.conv4j.backend.jni.NativeBackend;
import org.conv4j.graph.PreparedModel;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;

/**
 * Every ONNX fixture end to end on both backends: imported, prepared for its input, run, and compared with
 * PyTorch's float64 output (reference=torch) or with ONNX Runtime on the same file and input (reference=onnxruntime)
 * under {@link ModelTolerance}. Each model also runs its first image alone, which must match its row of the batch
 * (prepared models run any batch size, also when the file fixes the batch). The torchvision exports in
 * bench/fixtures-big/onnx are tested the same way when present.
 */
class OnnxFixturesTest {
  @TestFactory
  Stream<DynamicContainer> committedFixturesMatchTheirReference() {
    List<OnnxCase> cases = OnnxCase.runnable(OnnxCase.smallRoot());
    assertFalse(cases.isEmpty(), "no ONNX fixtures under " + OnnxCase.smallRoot());
    return cases.stream().map(OnnxFixturesTest::container);
  }

  @TestFactory
  Stream<DynamicContainer> torchvisionExportsMatchPyTorchWhenPresent() {
    Path root = OnnxCase.bigRoot();
    List<OnnxCase> cases = OnnxCase.runnable(root);
    if (cases.isEmpty()) {
      return Stream.of(dynamicContainer("none", Stream.of(dynamicTest("skipped", () ->
          assumeTrue(false, "no torchvision exports in " + root + " (gen_onnx_fixtures.py --big)")))));
    }
    return cases.stream().map(OnnxFixturesTest::container);
  }

  private static DynamicContainer container(OnnxCase c) {
    List<org.junit.jupiter.api.DynamicTest> tests = new ArrayList<>();
    for (BackendKind kind : List.of(BackendKind.JAVA, BackendKind.NATIVE)) {
      tests.add(dynamicTest(kind.name().toLowerCase(Locale.ROOT), () -> check(c, kind)));
    }
    return dynamicContainer(c.name(), c.dir().toUri(), tests.stream());
  }

  static Backend backend(BackendKind kind) {
    if (kind == BackendKind.NATIVE) {
      String why = NativeBackend.unavailableReason();
      assumeTrue(why == null, () -> "native backend unavailable: " + why);
    }
    return Backends.get(kind);
  }

  private static void check(OnnxCase c, BackendKind kind) throws Exception {
    Backend backend = backend(kind);
    OnnxModel m = OnnxModel.load(c.model());
    assertEquals(c.outputs(), m.outputNames(), c + ": outputs");
    Tensor x = c.x();
    boolean ort = c.reference().equals("onnxruntime");
    List<Tensor> ref = ort ? OrtReference.run(c.model(), m.inputName(), m.outputNames(), x) : List.of(c.y());
    long terms = ModelTolerance.terms(c.model());
    try (PreparedModel p = m.prepare(backend, x.shape())) {
      List<Tensor> got = p.runAll(x);
      assertEquals(ref.size(), got.size(), c + ": number of outputs");
      StringBuilder report = new StringBuilder(c + " on " + backend + ":");
      for (int k = 0; k < ref.size(); k++) {
        double tol = ModelTolerance.bound(terms, ref.get(k), ort);
        double err = ModelTolerance.assertClose(c + " output " + m.outputNames().get(k), ref.get(k), got.get(k), tol);
        report.append(String.format(Locale.ROOT, " %s err %.3g (tol %.3g)", m.outputNames().get(k), err, tol));
      }
      // the first image alone
      Tensor x1 = firstImage(x);
      List<Tensor> got1 = p.runAll(x1);
      for (int k = 0; k < ref.size(); k++) {
        Tensor row = firstImage(ref.get(k));
        ModelTolerance.assertClose(c + " batch-1 output " + k, row, got1.get(k), ModelTolerance.bound(terms, row, ort));
      }
      System.out.println(report);
    }
  }

  static Tensor firstImage(Tensor t) {
    int[] s = t.shape();
    int per = t.numel() / s[0];
    s[0] = 1;
    return Tensor.of(Arrays.copyOf(t.data(), per), s);
  }
}
