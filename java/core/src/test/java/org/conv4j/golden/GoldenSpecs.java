package org.conv4j.golden;

import java.util.Locale;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.LinearSpec;
import org.conv4j.spec.PaddingMode;
import org.conv4j.spec.Pool2dSpec;

/** Builds conv4j specs from a golden case's properties (names as in gen_kernel_fixtures.py). */
final class GoldenSpecs {
  private GoldenSpecs() {}

  static Activation activation(GoldenCase c) {
    switch (c.str("activation")) {
      case "none":
        return Activation.NONE;
      case "relu":
        return Activation.RELU;
      case "leaky_relu":
        return Activation.leakyRelu(c.flt("activation_a"));
      case "clamp":
        return Activation.clamp(c.flt("activation_a"), c.flt("activation_b"));
      case "sigmoid":
        return Activation.SIGMOID;
      case "tanh":
        return Activation.TANH;
      default:
        throw new IllegalStateException(c.name() + ": unknown activation " + c.str("activation"));
    }
  }

  static Conv2dSpec conv2d(GoldenCase c) {
    int[] k = c.ints("kernel"), s = c.ints("stride"), p = c.ints("pads"), d = c.ints("dilation");
    Conv2dSpec.Builder b = Conv2dSpec.builder(c.integer("in_channels"), c.integer("out_channels"), k[0], k[1])
        .stride(s[0], s[1]).dilation(d[0], d[1]).groups(c.integer("groups")).bias(c.bool("bias"))
        .paddingMode(PaddingMode.valueOf(c.str("padding_mode").toUpperCase(Locale.ROOT)))
        .activation(activation(c));
    switch (c.str("padding")) {
      case "same":
        return b.paddingSame().build();
      case "valid":
        return b.paddingValid().build();
      default:
        return b.padding(p[0], p[1], p[2], p[3]).build();
    }
  }

  static ConvTranspose2dSpec convTranspose2d(GoldenCase c) {
    int[] k = c.ints("kernel"), s = c.ints("stride"), p = c.ints("pads"), d = c.ints("dilation");
    int[] op = c.ints("output_padding");
    return ConvTranspose2dSpec.builder(c.integer("in_channels"), c.integer("out_channels"), k[0], k[1])
        .stride(s[0], s[1]).padding(p[0], p[1], p[2], p[3]).outputPadding(op[0], op[1]).dilation(d[0], d[1])
        .groups(c.integer("groups")).bias(c.bool("bias")).activation(activation(c)).build();
  }

  static Pool2dSpec pool2d(GoldenCase c) {
    switch (c.op()) {
      case "adaptive_avg_pool2d": {
        int[] o = c.ints("output");
        return Pool2dSpec.adaptiveAvg(o[0], o[1]);
      }
      case "global_max_pool2d":
        return Pool2dSpec.globalMax();
      case "max_pool2d":
      case "avg_pool2d": {
        int[] k = c.ints("kernel"), s = c.ints("stride"), p = c.ints("pads");
        boolean max = c.op().equals("max_pool2d");
        Pool2dSpec.Builder b = (max ? Pool2dSpec.max(k[0], k[1]) : Pool2dSpec.avg(k[0], k[1]))
            .stride(s[0], s[1]).padding(p[0], p[1], p[2], p[3]).ceilMode(c.bool("ceil_mode"));
        if (max) {
          int[] d = c.ints("dilation");
          b.dilation(d[0], d[1]);
        } else {
          b.countIncludePad(c.bool("count_include_pad"));
        }
        return b.build();
      }
      default:
        throw new IllegalStateException(c.name() + ": not a pooling op: " + c.op());
    }
  }

  static LinearSpec linear(GoldenCase c) {
    return new LinearSpec(c.integer("in_features"), c.integer("out_features"), c.bool("bias"), activation(c));
  }
}
