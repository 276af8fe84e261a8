package org.modelpar.simulator.memory;

import org.modelpar.simulator.plan.Recompute;

/**
 * Activation bytes of a GPT by Korthikanti et al., "Reducing Activation Recomputation in Large Transformer
 * Models" (2022), section 4, in 16-bit precision, for one micro-batch of b samples of s tokens, hidden h,
 * a heads, vocabulary V on one of t tensor ranks. Written from the paper, independently of the simulator. Without
 * dropout the paper's masks go (1 byte a value: the attention probabilities' {@code a s^2 b}, the two residual
 * branches' {@code 2 s b h}, the embedding's {@code s b h}) and so do the dropped-out probabilities ({@code 2 a s^2 b}):
 * the context reads the softmax output. Beyond the paper, which leaves them out as small: each LayerNorm's fp32 mean
 * and 1/std, {@code 8 s b} bytes, split as its input; the loss's int64 labels, {@code 8 s b}, whole on every rank.
 */
record KorthikantiFormulas(long s, long h, long a, long vocab, long b, long t, boolean sequenceParallel, boolean dropout) {
    /** One transformer layer's stash: equations 1-3, without the attention core (selective) or only the input (full). */
    long layer(Recompute mode) {
        long sbh = s * b * h;
        long core = (dropout ? 5 : 2) * a * s * s * b / t;
        long replicated = dropout ? 10 * sbh : 8 * sbh;
        long norms = 2 * 8 * s * b;
        return switch (mode) {
            case NONE -> replicated(replicated + norms) + 24 * sbh / t + core;
            case SELECTIVE -> replicated(replicated + norms) + 24 * sbh / t;
            case FULL -> replicated(2 * sbh);
        };
    }

    /** Most bytes rebuilt at once by a recomputing backward: the core, or one layer beyond its input. */
    long recomputed(Recompute mode) {
        return switch (mode) {
            case NONE -> 0;
            case SELECTIVE -> (dropout ? 5 : 2) * a * s * s * b / t;
            case FULL -> layer(Recompute.NONE) - layer(Recompute.FULL);
        };
    }

    /** The embedding's dropout mask (section 4.3) and the token ids, kept as 2-byte values. */
    long embedding() {
        return (dropout ? replicated(s * b * h) : 0) + 2 * s * b;
    }

    /**
     * Final LayerNorm and output projection inputs, fp32 logits for the loss: {@code 4 s b h + 4 s b V / t}; the final
     * norm's statistics and the labels.
     */
    long head() {
        return replicated(4 * s * b * h + 8 * s * b) + 4 * s * b * vocab / t + 8 * s * b;
    }

    /** Bytes that sequence parallelism splits t ways and plain tensor parallelism replicates. */
    private long replicated(long bytes) {
        return sequenceParallel ? bytes / t : bytes;
    }
}
