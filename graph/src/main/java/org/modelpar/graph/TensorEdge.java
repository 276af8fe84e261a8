package org.modelpar.graph;

/**
 * A tensor flowing from one op to another. Every edge has its own id, so two tensors between the same
 * pair of ops stay distinct.
 *
 * @param id    unique id within the graph
 * @param from  producing op id
 * @param to    consuming op id
 * @param bytes bytes per sample
 */
public record TensorEdge(String id, String from, String to, long bytes) {
    public TensorEdge {
        Checks.id("tensor id", id);
        try {
            Checks.id("from", from);
            Checks.id("to", to);
            Checks.bytes("bytes", bytes);
        } catch (GraphException e) {
            throw new GraphException("tensor '" + id + "': " + e.getMessage(), e);
        }
    }
}
