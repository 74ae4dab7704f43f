package org.conv4j.nn;

import java.util.List;
import java.util.Objects;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;

/**
 * A residual block, y = after(main(x) + shortcut(x)): ResNet's BasicBlock and Bottleneck (after = ReLU, shortcut =
 * the optional downsample) and MobileNetV2's InvertedResidual (no after, identity shortcut). main's children sit at
 * the block's own path (BasicBlock's {@code conv1}, {@code bn1}, ...); shortcut and after are named children, or
 * null for the identity / nothing. When main ends in conv [+ bn], the add and the after activation run in that
 * conv's epilogue.
 */
public record Residual(Sequential main, Named shortcut, Named after) implements Layer {
  public Residual {
    Objects.requireNonNull(main, "main");
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    Value y = main.forward(b, x, path, p);
    Value s = shortcut == null ? x : shortcut.layer().forward(b, x, Layer.join(path, shortcut.name()), p);
    Value sum = b.named(Layer.join(path, "add")).add(y, s);
    return after == null ? sum : after.layer().forward(b, sum, Layer.join(path, after.name()), p);
  }

  @Override
  public void declare(String path, List<ParameterSpec> out) {
    main.declare(path, out);
    if (shortcut != null) shortcut.layer().declare(Layer.join(path, shortcut.name()), out);
    if (after != null) after.layer().declare(Layer.join(path, after.name()), out);
  }
}
