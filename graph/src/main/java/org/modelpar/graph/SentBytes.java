package org.modelpar.graph;

import java.util.Collection;

/**
 * The bytes of an op's output that a set of its tensors carries: their sum, at most the op's output. Each
 * tensor carries the whole output or a disjoint part of it (an attention block's query-key and value
 * slices), so an output read by several ops is one tensor. The output is the op's activation bytes, or its
 * largest outgoing tensor when a graph gives a tensor more. A producer sends this once to each pipeline
 * stage that reads it, computed over its tensors to that stage; the simulator's layout and the solver's
 * stage costs both use this rule.
 */
public final class SentBytes {
    private SentBytes() {
    }

    /** The output bytes per sample that {@code tensors}, all leaving {@code producer}, carry. */
    public static long of(OpNode producer, Collection<TensorEdge> tensors) {
        return of(tensors.stream().mapToLong(TensorEdge::bytes).reduce(0, Math::addExact), outputBytes(producer, tensors));
    }

    /** The producer's output per sample: its activation bytes, at least its largest tensor among {@code tensors}. */
    public static long outputBytes(OpNode producer, Collection<TensorEdge> tensors) {
        return Math.max(producer.activationBytes(), tensors.stream().mapToLong(TensorEdge::bytes).max().orElse(0));
    }

    /**
     * @param tensorBytes the summed bytes of some tensors of one producer
     * @param outputBytes the producer's output ({@link #outputBytes})
     */
    public static long of(long tensorBytes, long outputBytes) {
        return Math.min(tensorBytes, outputBytes);
    }
}
