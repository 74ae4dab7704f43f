package org.conv4j.graph;

/**
 * One node of the lowered graph that a program executes: an original node, or a conv / linear / transposed conv
 * with the nodes fused into it (folded batch norm, residual add, activation) already applied to its spec, weights
 * and output value.
 *
 * @param node the node to run (fused nodes are rewritten copies)
 * @param residual value id added in the conv epilogue before the activation, or -1
 * @param label names of the original nodes this step covers, joined by "+"
 */
record Lowered(Node node, int residual, String label) {}
