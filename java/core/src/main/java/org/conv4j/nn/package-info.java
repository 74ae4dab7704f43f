/**
 * torch.nn-style layers over the graph runtime. A {@link org.conv4j.nn.Layer} is an immutable configuration that
 * appends its ops to a graph, reading weights by PyTorch state_dict name from {@link org.conv4j.nn.Parameters};
 * containers ({@link org.conv4j.nn.Sequential}, {@link org.conv4j.nn.Residual}, {@link org.conv4j.nn.Concat})
 * give children their paths ({@code layer1.0.conv1.weight}). A {@link org.conv4j.nn.Network} (layer + input shape)
 * paired with parameters (random, a map, or a safetensors file, checked against the declarations) is a
 * {@link org.conv4j.nn.Model}, which prepares to a {@link org.conv4j.graph.PreparedModel}.
 */
package org.conv4j.nn;
