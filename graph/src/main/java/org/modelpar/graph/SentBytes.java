package org.modelpar.graph;

import java.util.Collection;

/**
 * The bytes of an op's output that a set of its tensors carries: their sum, at most the op's activation
 * bytes. Each tensor carries the whole output or a disjoint part of it (an attention block's query-key and
 * value slices), so an output read by several ops is one tensor. A producer sends this once to each
 * pipeline stage that reads it, computed over its tensors to that stage; the simulator's layout and
 * workspace and the solver's stage costs all use this rule.
 */
public final class SentBytes {
    private SentBytes() {
    }

    /** The output bytes per sample that {@code tensors}, all leaving {@code producer}, carry. */
    public static long of(OpNode producer, Collection<TensorEdge> tensors) {
        return of(tensors.stream().mapToLong(TensorEdge::bytes).reduce(0, Math::addExact), producer.activationBytes());
    }

    /**
     * @param tensorBytes the summed bytes of some tensors of one producer
     * @param outputBytes the producer's activation bytes
     */
    public static long of(long tensorBytes, long outputBytes) {
        return Math.min(tensorBytes, outputBytes);
    }
}
