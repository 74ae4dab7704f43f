package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConsumerMainTest {
  @Test
  void runsConv2dOnTheNativeBackendWithNoFlags() {
    String result = ConsumerMain.run();
    System.out.println("conv4j consumer: " + result);
    // Expected sum, counted independently: each output adds its in-bounds 3x3 window of the ramp (value = column).
    double expected = 0;
    for (int oy = 0; oy < 7; oy++) {
      for (int ox = 0; ox < 7; ox++) {
        int rows = (oy == 0 || oy == 6) ? 2 : 3;
        for (int kx = -1; kx <= 1; kx++) {
          int ix = ox + kx;
          if (ix >= 0 && ix < 7) expected += rows * ix;
        }
      }
    }
    expected *= 2 /* in channels */ * 4 /* out channels */;
    assertEquals("backend=native output=[1, 4, 7, 7] sum=" + expected, result);
  }
}
