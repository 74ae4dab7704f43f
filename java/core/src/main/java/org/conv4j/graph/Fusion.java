package org.conv4j.graph;

import java.util.ArrayList;
import java.util.List;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.LinearSpec;

/**
 * Lowers a graph to the list of steps to execute, fusing chains whose intermediate values nothing else reads (and
 * that are not graph outputs):
 *
 * <ul>
 *   <li>conv2d -> BatchNorm2d: the norm is folded into the conv's weights and bias (w' = w * s, b' = (b - mean) * s
 *       + beta with s = gamma / sqrt(var + eps), computed in double);
 *   <li>conv2d [-> bn] -> add(·, r) with r shaped exactly like the sum: r becomes the epilogue's residual;
 *   <li>conv2d / linear / conv_transpose2d [-> bn] [-> add] -> activation: the activation moves into the epilogue.
 * </ul>
 *
 * A fused step runs at the position of the last node it covers, so every operand (a residual computed after the
 * conv, say) already exists; the conv's own input stays alive until then because buffers are planned afterwards.
 */
final class Fusion {
  private Fusion() {}

  static List<Lowered> lower(Graph g, int[][] shapes, boolean fuse) {
    List<Node> nodes = g.nodes;
    List<Lowered> out = new ArrayList<>();
    if (!fuse) {
      for (Node n : nodes) out.add(new Lowered(n, -1, n.name()));
      return out;
    }
    // consumer of each value when it has exactly one use (as a node input, graph outputs count as uses); else -1
    int[] uses = new int[shapes.length];
    int[] sole = new int[shapes.length];
    for (int i = 0; i < nodes.size(); i++) {
      for (int v : nodes.get(i).inputs()) {
        uses[v]++;
        sole[v] = i;
      }
    }
    for (int v : g.outputIds) uses[v]++;
    for (int v = 0; v < uses.length; v++) if (uses[v] != 1) sole[v] = -1;

    boolean[] absorbed = new boolean[nodes.size()];
    Lowered[] fusedAt = new Lowered[nodes.size()]; // the fused step, at its last member's index
    for (int i = 0; i < nodes.size(); i++) {
      Node head = nodes.get(i);
      if (absorbed[i]) continue;
      if (head instanceof Node.Conv c) {
        fuseConv(c, i, nodes, shapes, sole, absorbed, fusedAt);
      } else if (head instanceof Node.Linear l && l.spec().activation().kind() == Activation.Kind.NONE) {
        int j = soleActivation(l.output(), nodes, sole, absorbed);
        if (j >= 0) {
          Node.Act a = (Node.Act) nodes.get(j);
          LinearSpec s = new LinearSpec(l.spec().inFeatures(), l.spec().outFeatures(), l.spec().hasBias(),
              a.activation());
          absorbed[j] = true;
          fusedAt[j] = new Lowered(new Node.Linear(l.name(), l.x(), s, l.weight(), l.bias(), a.output()), -1,
              l.name() + "+" + a.name());
          absorbed[i] = true;
        }
      } else if (head instanceof Node.ConvTranspose t && t.spec().activation().kind() == Activation.Kind.NONE) {
        int j = soleActivation(t.output(), nodes, sole, absorbed);
        if (j >= 0) {
          Node.Act a = (Node.Act) nodes.get(j);
          absorbed[j] = true;
          fusedAt[j] = new Lowered(new Node.ConvTranspose(t.name(), t.x(),
              t.spec().toBuilder().activation(a.activation()).build(), t.weight(), t.bias(), a.output()), -1,
              t.name() + "+" + a.name());
          absorbed[i] = true;
        }
      }
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (fusedAt[i] != null) out.add(fusedAt[i]);
      else if (!absorbed[i]) out.add(new Lowered(nodes.get(i), -1, nodes.get(i).name()));
    }
    return out;
  }

  private static void fuseConv(Node.Conv c, int i, List<Node> nodes, int[][] shapes, int[] sole, boolean[] absorbed,
      Lowered[] fusedAt) {
    if (c.spec().activation().kind() != Activation.Kind.NONE) return;
    int cur = c.output();
    int last = i;
    StringBuilder label = new StringBuilder(c.name());
    float[] w = c.weight(), b = c.bias();
    Conv2dSpec spec = c.spec();
    int residual = -1;

    int j = sole[cur];
    if (j >= 0 && !absorbed[j] && nodes.get(j) instanceof Node.BatchNorm bn) {
      float[][] folded = foldBatchNorm(spec, w, b, bn);
      w = folded[0];
      b = folded[1];
      spec = spec.toBuilder().bias(true).build();
      cur = bn.output();
      last = j;
      absorbed[j] = true;
      label.append('+').append(bn.name());
    }
    j = sole[cur];
    if (j >= 0 && !absorbed[j] && nodes.get(j) instanceof Node.Binary add && add.kind() == BinaryOp.ADD
        && add.a() != add.b()) {
      int other = add.a() == cur ? add.b() : add.a();
      if (java.util.Arrays.equals(shapes[other], shapes[cur]) && java.util.Arrays.equals(shapes[add.output()],
          shapes[cur])) {
        residual = other;
        cur = add.output();
        last = j;
        absorbed[j] = true;
        label.append('+').append(add.name());
      }
    }
    j = soleActivation(cur, nodes, sole, absorbed);
    if (j >= 0) {
      Node.Act a = (Node.Act) nodes.get(j);
      spec = spec.toBuilder().activation(a.activation()).build();
      cur = a.output();
      last = j;
      absorbed[j] = true;
      label.append('+').append(a.name());
    }
    if (last == i) return;
    absorbed[i] = true;
    fusedAt[last] = new Lowered(new Node.Conv(c.name(), c.x(), spec, w, b, cur), residual, label.toString());
  }

  /** Index of the activation node that is value v's only consumer, or -1. */
  private static int soleActivation(int v, List<Node> nodes, int[] sole, boolean[] absorbed) {
    int j = sole[v];
    if (j < 0 || absorbed[j]) return -1;
    return nodes.get(j) instanceof Node.Act a && a.activation().kind() != Activation.Kind.NONE ? j : -1;
  }

  /** {weight', bias'} of conv followed by bn, in double: s = gamma / sqrt(var + eps). */
  static float[][] foldBatchNorm(Conv2dSpec spec, float[] w, float[] b, Node.BatchNorm bn) {
    int outC = spec.outChannels();
    int per = (int) (spec.weightSize() / outC);
    float[] w2 = new float[w.length];
    float[] b2 = new float[outC];
    for (int o = 0; o < outC; o++) {
      double s = bn.gamma()[o] / Math.sqrt((double) bn.var()[o] + bn.eps());
      for (int k = 0; k < per; k++) w2[o * per + k] = (float) (w[o * per + k] * s);
      double bias = b == null ? 0.0 : b[o];
      b2[o] = (float) ((bias - bn.mean()[o]) * s + bn.beta()[o]);
    }
    return new float[][] {w2, b2};
  }
}
