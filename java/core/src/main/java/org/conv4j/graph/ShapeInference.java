package org.conv4j.graph;

import java.util.Arrays;
import org.conv4j.Tensor;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.PaddingMode;
import org.conv4j.spec.Pool2dGeometry;

/**
 * Infers the shape of every value of a graph from the input shape (NCHW, batch first). Each error is an
 * IllegalArgumentException that names the node, its op and the offending shapes.
 */
final class ShapeInference {
  private ShapeInference() {}

  /** Shapes indexed by value id. */
  static int[][] infer(Graph g, int[] input) {
    int[][] s = new int[g.valueNames.length][];
    s[g.inputId] = input.clone();
    g.constants.forEach((id, t) -> s[id] = t.shape());
    for (Node n : g.nodes) {
      int[] out;
      try {
        out = shapeOf(n, s);
        long numel = Tensor.numel(out);
        if (numel > Integer.MAX_VALUE - 8) {
          throw new IllegalArgumentException("output shape " + Arrays.toString(out) + " holds " + numel
              + " floats, over the Java array limit");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("node " + n.name() + " (" + n.op() + "), input shape"
            + inputShapes(n, s) + ": " + e.getMessage(), e);
      }
      s[n.output()] = out;
    }
    return s;
  }

  private static String inputShapes(Node n, int[][] s) {
    StringBuilder sb = new StringBuilder(n.inputs().length > 1 ? "s " : " ");
    int[] in = n.inputs();
    for (int i = 0; i < in.length; i++) sb.append(i > 0 ? ", " : "").append(Arrays.toString(s[in[i]]));
    return sb.toString();
  }

  private static int[] shapeOf(Node n, int[][] s) {
    if (n instanceof Node.Conv c) {
      int[] x = rank4(s[c.x()], c.spec().inChannels(), "inChannels");
      Conv2dGeometry geo = c.spec().geometry(x[2], x[3]);
      return new int[] {x[0], c.spec().outChannels(), geo.outH(), geo.outW()};
    }
    if (n instanceof Node.ConvTranspose c) {
      int[] x = rank4(s[c.x()], c.spec().inChannels(), "inChannels");
      Conv2dGeometry geo = c.spec().geometry(x[2], x[3]);
      return new int[] {x[0], c.spec().outChannels(), geo.outH(), geo.outW()};
    }
    if (n instanceof Node.Pool p) {
      int[] x = rank4(s[p.x()], -1, null);
      Pool2dGeometry geo = p.spec().geometry(x[2], x[3]);
      return new int[] {x[0], x[1], geo.outH(), geo.outW()};
    }
    if (n instanceof Node.Linear l) {
      int[] x = s[l.x()];
      if (x.length < 2 || x[x.length - 1] != l.spec().inFeatures()) {
        throw new IllegalArgumentException("linear needs rank >= 2 with the last dimension = inFeatures "
            + l.spec().inFeatures());
      }
      int[] out = x.clone();
      out[out.length - 1] = l.spec().outFeatures();
      return out;
    }
    if (n instanceof Node.Act a) return s[a.x()].clone();
    if (n instanceof Node.Softmax sm) {
      int[] x = s[sm.x()];
      axis("dim", sm.dim(), x.length);
      return x.clone();
    }
    if (n instanceof Node.Reshape r) return reshape(r, s[r.x()]);
    if (n instanceof Node.Binary b) return broadcast(s[b.a()], s[b.b()]);
    if (n instanceof Node.Concat c) return concat(c, s);
    if (n instanceof Node.BatchNorm bn) {
      int[] x = s[bn.x()];
      if (x.length < 2 || x[1] != bn.mean().length) {
        throw new IllegalArgumentException(
            "batch norm needs rank >= 2 with dimension 1 = num_features " + bn.mean().length);
      }
      return x.clone();
    }
    if (n instanceof Node.Pad p) return pad(p, s[p.x()]);
    if (n instanceof Node.Transpose t) {
      int[] x = s[t.x()];
      if (t.perm().length != x.length) {
        throw new IllegalArgumentException("perm " + Arrays.toString(t.perm()) + " has " + t.perm().length
            + " entries but the input has rank " + x.length);
      }
      int[] out = new int[x.length];
      for (int i = 0; i < out.length; i++) out[i] = x[t.perm()[i]];
      return out;
    }
    throw new AssertionError(n);
  }

  private static int[] rank4(int[] x, int channels, String what) {
    if (x.length != 4) throw new IllegalArgumentException("needs a 4-D [N, C, H, W] input");
    if (channels > 0 && x[1] != channels) {
      throw new IllegalArgumentException("input channels " + x[1] + " differ from the spec's " + what + " " + channels);
    }
    return x;
  }

  /** dim in [-rank, rank) normalized to [0, rank). */
  static int axis(String name, int dim, int rank) {
    if (dim < -rank || dim >= rank) {
      throw new IllegalArgumentException(name + " " + dim + " is out of range [" + -rank + ", " + (rank - 1) + "]");
    }
    return dim < 0 ? dim + rank : dim;
  }

  private static int[] reshape(Node.Reshape r, int[] x) {
    switch (r.kind()) {
      case IDENTITY:
        return x.clone();
      case FLATTEN: {
        if (x.length == 0) return new int[] {1};
        int start = axis("startDim", r.startDim(), x.length);
        int[] out = Arrays.copyOf(x, start + 1);
        out[start] = Math.toIntExact(Tensor.numel(Arrays.copyOfRange(x, start, x.length)));
        return out;
      }
      default: {
        int[] out = r.shape().clone();
        long known = 1;
        int inferred = -1;
        for (int i = 0; i < out.length; i++) {
          if (out[i] == 0) {
            if (i >= x.length) {
              throw new IllegalArgumentException("reshape " + Arrays.toString(r.shape()) + " copies dimension " + i
                  + " (0) but the input has rank " + x.length);
            }
            out[i] = x[i];
          }
          if (out[i] == -1) inferred = i;
          else known *= out[i];
        }
        long numel = Tensor.numel(x);
        if (inferred >= 0) {
          if (known == 0 || numel % known != 0) {
            throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + Arrays.toString(r.shape()));
          }
          out[inferred] = (int) (numel / known);
        } else if (known != numel) {
          throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + Arrays.toString(r.shape())
              + " (" + known + " elements)");
        }
        return out;
      }
    }
  }

  /** numpy broadcasting: align trailing dims; each pair equal or one of them 1. */
  static int[] broadcast(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i < r - a.length ? 1 : a[i - (r - a.length)];
      int db = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
            + " do not broadcast (dimension " + i + " of the result: " + da + " vs " + db + ")");
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  private static int[] concat(Node.Concat c, int[][] s) {
    int[] first = s[c.xs()[0]];
    int axis = axis("axis", c.axis(), first.length);
    int[] out = first.clone();
    for (int k = 1; k < c.xs().length; k++) {
      int[] x = s[c.xs()[k]];
      boolean ok = x.length == first.length;
      for (int i = 0; ok && i < x.length; i++) ok = i == axis || x[i] == first[i];
      if (!ok) {
        throw new IllegalArgumentException("concat input " + k + " has shape " + Arrays.toString(x)
            + ", which differs from input 0 " + Arrays.toString(first) + " outside axis " + axis);
      }
      out[axis] += x[axis];
    }
    return out;
  }

  private static int[] pad(Node.Pad p, int[] x) {
    int r = x.length;
    int[] pads = p.pads();
    if (pads.length != 2 * r) {
      throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " must have 2 * rank = " + 2 * r
          + " entries ([begins..., ends...])");
    }
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int b = pads[i], e = pads[r + i];
      long o = (long) x[i] + b + e;
      if (o < 1) {
        throw new IllegalArgumentException("dimension " + i + " of size " + x[i] + " padded by " + b + " and " + e
            + " would have size " + o);
      }
      if (p.mode() == PaddingMode.REFLECT && (Math.max(b, e) >= x[i])) {
        throw new IllegalArgumentException("reflect padding " + Math.max(b, e) + " on dimension " + i
            + " must be < its size " + x[i]);
      }
      if (p.mode() == PaddingMode.CIRCULAR && (Math.max(b, e) > x[i])) {
        throw new IllegalArgumentException("circular padding " + Math.max(b, e) + " on dimension " + i
            + " must be <= its size " + x[i]);
      }
      out[i] = (int) o;
    }
    return out;
  }
}
