package org.conv4j.bench;

import static org.conv4j.spec.Activation.RELU;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.Pool2dGeometry;
import org.conv4j.spec.Pool2dSpec;

/**
 * The single layers of the side-by-side comparison, each as a one-node ONNX model ({@link OneNodeOnnx}) with random
 * weights: the dense and depthwise convolutions of the JMH kernel benchmarks ({@link Conv2dBench.Shape},
 * {@link DepthwiseConv2dBench.Shape}), transposed convolutions and poolings. Targets: dense 3x3 stride-1 layers with
 * >= 64 input channels >= 60 / 110 GFLOP/s (1 / 2 threads); depthwise 3x3 <= 0.67 x ONNX Runtime's time; transposed
 * convolutions and poolings <= 1.00 x.
 */
final class SideBySideKernels {
  static final Target DENSE_3X3 = new Target(Target.Metric.NATIVE_GFLOPS, 60, 110);
  static final Target DEPTHWISE = Target.of(Target.Metric.NATIVE_TIME_VS_ORT, 0.67);
  static final Target AT_MOST_ORT = Target.of(Target.Metric.NATIVE_TIME_VS_ORT, 1.00);

  private SideBySideKernels() {}

  /** Every layer, in report order: dense conv, depthwise conv, transposed conv, pooling. */
  static List<Subject> all() {
    List<Subject> all = new ArrayList<>();
    for (Conv2dBench.Shape s : Conv2dBench.Shape.values()) all.add(conv(s.name(), s.conv()));
    for (DepthwiseConv2dBench.Shape s : DepthwiseConv2dBench.Shape.values()) all.add(conv(s.name(), s.conv()));
    all.add(convTranspose("UP_4X4S2P1_256_128_14", "decoder upsample 4x4 s2 p1 256->128 @14->28",
        ConvTranspose2dSpec.builder(256, 128, 4).stride(2).padding(1).activation(RELU).build(), 14));
    all.add(convTranspose("UP_3X3S2P1OP1_128_64_28", "decoder upsample 3x3 s2 p1 op1 128->64 @28->56",
        ConvTranspose2dSpec.builder(128, 64, 3).stride(2).padding(1).outputPadding(1).activation(RELU).build(), 28));
    all.add(pool("RESNET18_MAXPOOL3X3S2_64_112", "ResNet-18 max 3x3 s2 p1, 64 @112",
        Pool2dSpec.max(3).stride(2).padding(1).build(), 64, 112));
    all.add(pool("VGG16_MAXPOOL2X2_64_224", "VGG-16 max 2x2 s2, 64 @224", Pool2dSpec.max(2).build(), 64, 224));
    all.add(pool("AVGPOOL2X2_128_56", "avg 2x2 s2 (DenseNet transition), 128 @56", Pool2dSpec.avg(2).build(), 128,
        56));
    all.add(pool("AVGPOOL7X7_512_7", "avg 7x7 (ResNet global, fixed kernel), 512 @7", Pool2dSpec.avg(7).build(), 512,
        7));
    all.add(pool("RESNET18_GLOBALAVG_512_7", "ResNet-18 global avg 7x7->1x1, 512", Pool2dSpec.globalAvg(), 512, 7));
    return all;
  }

  private static Subject conv(String name, ConvLayer layer) {
    Conv2dSpec s = layer.spec();
    int in = layer.in();
    List<Target> targets = new ArrayList<>();
    boolean dense3x3 = s.groups() == 1 && s.kernelH() == 3 && s.kernelW() == 3 && s.strideH() == 1
        && s.strideW() == 1 && s.dilationH() == 1 && s.dilationW() == 1 && s.inChannels() >= 64;
    if (dense3x3) targets.add(DENSE_3X3);
    if (s.isDepthwise()) targets.add(DEPTHWISE);
    String chart = String.format(Locale.ROOT, "%s%dx%d%s%s %s @%d", s.isDepthwise() ? "dw " : "", s.kernelH(),
        s.kernelW(), s.strideH() > 1 ? " s" + s.strideH() : "", s.dilationH() > 1 ? " d" + s.dilationH() : "",
        s.isDepthwise() ? String.valueOf(s.inChannels()) : s.inChannels() + "->" + s.outChannels(), in);
    Workload w = new Workload(Workload.Section.KERNELS, layer.layer(), chart, new int[] {s.inChannels(), in, in}, 1,
        layer.flops(), targets);
    return Subject.ofBytes(name, () -> OneNodeOnnx.conv(s, in, in, BenchFixtures.random(s.weightSize(), 2),
        s.hasBias() ? BenchFixtures.random(s.outChannels(), 3) : null), List.of(w));
  }

  private static Subject convTranspose(String name, String label, ConvTranspose2dSpec s, int in) {
    String chart = String.format(Locale.ROOT, "convT %dx%d s%d%s %d->%d @%d", s.kernelH(), s.kernelW(), s.strideH(),
        s.outputPadH() > 0 ? " op" + s.outputPadH() : "", s.inChannels(), s.outChannels(), in);
    Workload w = new Workload(Workload.Section.KERNELS, label, chart, new int[] {s.inChannels(), in, in}, 1,
        2 * s.macs(in, in), List.of(AT_MOST_ORT));
    return Subject.ofBytes(name, () -> OneNodeOnnx.convTranspose(s, in, in, BenchFixtures.random(s.weightSize(), 2),
        BenchFixtures.random(s.outChannels(), 3)), List.of(w));
  }

  private static Subject pool(String name, String label, Pool2dSpec s, int channels, int in) {
    Pool2dGeometry g = s.geometry(in, in);
    long flops = channels * Pool2dBench.windowReads(g, true) * Pool2dBench.windowReads(g, false);
    String kind = s.kind() == Pool2dSpec.Kind.MAX ? "max" : "avg";
    String chart = s.kind() == Pool2dSpec.Kind.ADAPTIVE_AVG
        ? String.format(Locale.ROOT, "global avg %d @%d", channels, in)
        : String.format(Locale.ROOT, "%s %dx%d%s %d @%d", kind, s.kernelH(), s.kernelW(),
            s.strideH() != s.kernelH() ? " s" + s.strideH() : "", channels, in);
    Workload w = new Workload(Workload.Section.KERNELS, label, chart, new int[] {channels, in, in}, 1, flops,
        List.of(AT_MOST_ORT));
    return Subject.ofBytes(name, () -> OneNodeOnnx.pool(s, channels, in, in), List.of(w));
  }
}
