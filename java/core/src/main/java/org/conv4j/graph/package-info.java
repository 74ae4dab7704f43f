/**
 * The graph runtime: a small dataflow IR ({@link org.conv4j.graph.Graph}, built with
 * {@link org.conv4j.graph.Graph.Builder}) and its executor ({@link org.conv4j.graph.PreparedModel}).
 *
 * <p>Data flows one way: builder ops (with PyTorch semantics) -> {@code Graph.prepare(backend, inputShape)} infers
 * every shape, lowers the graph (BatchNorm2d folded into the preceding conv; a following activation and a residual
 * add moved into the conv epilogue when nothing else reads the intermediate), plans intermediate buffers by liveness
 * and prepares each kernel plan once (weights packed) -> {@code PreparedModel.run} executes the steps, one kernel
 * call each, on a pooled workspace. Reshape-like nodes cost nothing; broadcasting element ops, concat, pad and
 * transpose are memory loops of this package, and everything else runs on the backend's kernels.
 */
package org.conv4j.graph;
