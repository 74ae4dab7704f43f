package org.conv4j.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.graph.Layout;
import org.conv4j.io.Images;
import org.conv4j.io.Npy;

/** {@code conv4j run}: one inference of an ONNX model on a .npy tensor or an image. */
final class RunCommand implements Command {
  private static final int TOP = 5;

  @Override
  public String name() {
    return "run";
  }

  @Override
  public String summary() {
    return "run an ONNX model on a .npy tensor (writes a .npy) or on an image (prints the top-5 classes)";
  }

  @Override
  public String help() {
    return String.join("\n",
        "usage: conv4j run --model M.onnx --input X.npy --output Y.npy [flags]",
        "       conv4j run --model M.onnx --image F.png|F.jpg [--output Y.npy] [flags]",
        "",
        "  --model M.onnx        the model (ONNX, float32)",
        "  --input X.npy         input tensor, float32 .npy, shaped as the model's input (e.g. [N, 3, H, W])",
        "  --image F             PNG or JPEG instead of --input: shorter side resized to 256 (bilinear), centre",
        "                        crop 224x224, RGB scaled to [0, 1] and normalised with the ImageNet mean and std;",
        "                        prints the 5 highest-scoring class indices with their scores (raw model outputs)",
        "  --output Y.npy        where to write the output tensor (float32 .npy); required with --input",
        "  --backend B           auto (default), native or java",
        "  --threads N           threads the backend uses (default: all cores)",
        "  --layout L            nchw (default) or nhwc: the layout of the --input file and of a 4-D output file;",
        "                        models compute in NCHW and the tensors are transposed at the edges",
        "");
  }

  @Override
  public Set<String> valuedFlags() {
    return Set.of("model", "input", "image", "output", "backend", "threads", "layout");
  }

  @Override
  public Set<String> switches() {
    return Set.of();
  }

  @Override
  public void run(Args args, PrintStream out, PrintStream err) throws Exception {
    args.required("model");
    args.exactlyOne("input", "image");
    if (args.has("input")) args.required("output");
    String backendName = args.choice("backend", "auto", "auto", "native", "java");
    int threads = args.integer("threads", 0, 1);
    boolean nhwc = args.choice("layout", "nchw", "nchw", "nhwc").equals("nhwc");
    Path modelFile = args.inputFile("model");
    Path inputFile = args.inputFile("input");
    Path imageFile = args.inputFile("image");
    Path outputFile = args.outputFile("output");

    // everything about the input is checked before a backend is chosen or anything prepared
    Layout layout = nhwc && inputFile != null ? Layout.NHWC : Layout.NCHW; // an image is always NCHW
    ModelSource source = ModelLoader.onnx(modelFile, layout);
    Tensor x = inputFile != null ? Npy.read(inputFile) : Images.imagenet(imageFile, Layout.NCHW);
    source.check(x.shape());
    Backend backend = BackendChoice.select(backendName, threads, err);
    Tensor y;
    long elapsed;
    try (ModelSession model = source.open(backend)) {
      model.prepare(x.shape());
      long t0 = System.nanoTime();
      y = model.run(x);
      elapsed = System.nanoTime() - t0;
    }
    if (outputFile != null) {
      Npy.write(outputFile, nhwc && y.rank() == 4 ? Layouts.nchwToNhwc(y) : y);
    }
    out.printf(Locale.ROOT, "%s on %s (%d threads): input %s -> output %s in %.1f ms%s%n",
        modelFile.getFileName(), backend.name(), backend.threads(), Arrays.toString(x.shape()),
        Arrays.toString(y.shape()), elapsed / 1e6, outputFile == null ? "" : ", wrote " + outputFile);
    if (imageFile != null) printTop(y, out);
  }

  /** The top classes of each batch item, the output read as [N, classes] (trailing 1s allowed; rank 1: one item). */
  private static void printTop(Tensor y, PrintStream out) {
    int n = y.rank() <= 1 ? 1 : y.dim(0);
    int classes = y.numel() / Math.max(n, 1);
    for (int b = 0; b < n; b++) {
      if (n > 1) out.println("item " + b + ":");
      out.println("rank  class  score");
      int[] top = TopK.indices(y.data(), b * classes, classes, TOP);
      for (int r = 0; r < top.length; r++) {
        out.printf(Locale.ROOT, "%4d  %5d  %.6g%n", r + 1, top[r], y.data()[b * classes + top[r]]);
      }
    }
  }
}
