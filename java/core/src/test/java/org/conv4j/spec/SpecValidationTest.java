package org.conv4j.spec;

import static org.conv4j.spec.Rejections.assertRejected;

import org.junit.jupiter.api.Test;

/** Each spec rule rejects bad input with an IllegalArgumentException naming the parameter and its values. */
class SpecValidationTest {
  @Test
  void groupsMustDivideTheChannels() {
    assertRejected(() -> Conv2dSpec.builder(6, 4, 3).groups(4).build(), "inChannels", "inChannels=6", "groups=4");
    assertRejected(() -> Conv2dSpec.builder(6, 4, 3).groups(3).build(), "outChannels", "outChannels=4", "groups=3");
    assertRejected(() -> ConvTranspose2dSpec.builder(5, 4, 3).groups(2).build(), "inChannels=5", "groups=2");
    assertRejected(() -> ConvTranspose2dSpec.builder(4, 6, 3).groups(4).build(), "outChannels=6", "groups=4");
  }

  @Test
  void sizesMustBePositive() {
    assertRejected(() -> Conv2dSpec.builder(0, 4, 3).build(), "inChannels", "0");
    assertRejected(() -> Conv2dSpec.builder(1, 4, 3).stride(0).build(), "strideH", "0");
    assertRejected(() -> Conv2dSpec.builder(1, 4, 3).dilation(1, -1).build(), "dilationW", "-1");
    assertRejected(() -> Conv2dSpec.builder(1, 4, 3).padding(0, 0, -2, 0).build(), "padBottom", "-2");
    assertRejected(() -> Conv2dSpec.builder(1, 1, 3).build().geometry(0, 5), "input height", "0");
    assertRejected(() -> new LinearSpec(0, 3), "inFeatures", "0");
  }

  @Test
  void outputPaddingMustBeBelowStrideOrDilation() {
    assertRejected(() -> ConvTranspose2dSpec.builder(1, 1, 3).stride(2).outputPadding(2).build(),
        "outputPadding", "outputPadding=(2, 2)", "stride=(2, 2)", "dilation=(1, 1)");
    // allowed when below the dilation although not below the stride, as PyTorch
    ConvTranspose2dSpec.builder(1, 1, 3).stride(1).dilation(2).outputPadding(1).build();
  }

  @Test
  void poolPaddingAtMostHalfTheKernel() {
    assertRejected(() -> Pool2dSpec.max(3).padding(2).build(), "pad", "padding=(2, 2, 2, 2)", "kernel=(3, 3)");
    assertRejected(() -> Pool2dSpec.avg(4, 2).padding(0, 2).build(), "padding=(0, 2, 0, 2)", "kernel=(4, 2)");
    assertRejected(() -> Pool2dSpec.avg(2).dilation(2).build(), "dilation=(2, 2)");
    assertRejected(() -> Pool2dSpec.adaptiveAvg(0, 2), "outputH", "0");
  }

  @Test
  void reflectPadMustBeSmallerThanTheInput() {
    Conv2dSpec spec = Conv2dSpec.builder(1, 1, 3).padding(3).paddingMode(PaddingMode.REFLECT).build();
    assertRejected(() -> spec.geometry(3, 8), "reflect padding 3", "height", "input height 3");
    spec.geometry(4, 4); // 3 < 4 is fine
    Conv2dSpec circ = Conv2dSpec.builder(1, 1, 3).padding(0, 4).paddingMode(PaddingMode.CIRCULAR).build();
    assertRejected(() -> circ.geometry(5, 3), "circular padding 4", "width", "input width 3");
    circ.geometry(5, 4); // circular may pad by the whole input
  }

  @Test
  void inputMustHoldTheDilatedKernel() {
    Conv2dSpec spec = Conv2dSpec.builder(1, 1, 3).dilation(3).padding(1).build();
    // 4 + 1 + 1 = 6 < 3*(3-1)+1 = 7
    assertRejected(() -> spec.geometry(4, 10), "input height 4", "1+1 = 6", "3*(3-1)+1 = 7");
    assertRejected(() -> ConvTranspose2dSpec.builder(1, 1, 1).padding(1).build().geometry(1, 1),
        "output height", "= -1");
    assertRejected(() -> Pool2dSpec.max(3).build().geometry(2, 2), "pooling output height", "input 2", "kernel 3");
  }
}
