package org.conv4j.bench;

import org.conv4j.backend.Backend;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Pool2dGeometry;
import org.conv4j.spec.Pool2dSpec;
import org.openjdk.jmh.annotations.Param;

/** max / avg / adaptive-avg pooling of ResNet-18 and VGG-16 (and a DenseNet-style 2x2 average). */
public class Pool2dBench extends KernelBench {
  public enum Shape implements BenchShape {
    RESNET18_MAXPOOL3X3S2_64_112(
        "ResNet-18 max 3x3 s2 p1, 64 @112", Pool2dSpec.max(3).stride(2).padding(1).build(), 64, 112),
    VGG16_MAXPOOL2X2_64_224("VGG-16 max 2x2 s2, 64 @224", Pool2dSpec.max(2).build(), 64, 224),
    AVGPOOL2X2_128_56("avg 2x2 s2 (DenseNet transition), 128 @56", Pool2dSpec.avg(2).build(), 128, 56),
    AVGPOOL7X7_512_7("avg 7x7 (ResNet global, fixed kernel), 512 @7", Pool2dSpec.avg(7).build(), 512, 7),
    RESNET18_ADAPTIVEAVG_512_7("ResNet-18 adaptive avg 7x7->1x1, 512", Pool2dSpec.adaptiveAvg(1, 1), 512, 7);

    private final String layer;
    private final Pool2dSpec spec;
    private final int channels;
    private final int in;

    Shape(String layer, Pool2dSpec spec, int channels, int in) {
      this.layer = layer;
      this.spec = spec;
      this.channels = channels;
      this.in = in;
    }

    @Override
    public String layer() {
      return layer;
    }

    /** One operation per input element a window reads (taps falling in the padding are not reads). */
    @Override
    public long flops() {
      Pool2dGeometry g = spec.geometry(in, in);
      return channels * windowReads(g, true) * windowReads(g, false);
    }

    @Override
    public Plan prepare(Backend backend) {
      return backend.pool2d(spec, channels, in, in);
    }
  }

  @Param
  public Shape shape;

  @Override
  protected BenchShape benchShape() {
    return shape;
  }

  /** Windows are separable: in-bounds taps summed over the outputs of one dimension. */
  static long windowReads(Pool2dGeometry g, boolean height) {
    int in = height ? g.inH() : g.inW();
    int out = height ? g.outH() : g.outW();
    long reads = 0;
    for (int o = 0; o < out; o++) {
      if (g.kind() == Pool2dSpec.Kind.ADAPTIVE_AVG) {
        // PyTorch's adaptive window: [floor(o*in/out), ceil((o+1)*in/out))
        reads += Math.floorDiv((long) (o + 1) * in + out - 1, out) - Math.floorDiv((long) o * in, out);
        continue;
      }
      int k = height ? g.kernelH() : g.kernelW();
      int s = height ? g.strideH() : g.strideW();
      int p = height ? g.padTop() : g.padLeft();
      int d = height ? g.dilationH() : g.dilationW();
      for (int t = 0; t < k; t++) {
        long pos = (long) o * s - p + (long) t * d;
        if (pos >= 0 && pos < in) reads++;
      }
    }
    return reads;
  }
}
