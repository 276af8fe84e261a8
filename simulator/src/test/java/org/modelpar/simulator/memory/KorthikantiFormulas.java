package org.modelpar.simulator.memory;

import org.modelpar.simulator.plan.Recompute;

/**
 * Activation bytes of a GPT by Korthikanti et al., "Reducing Activation Recomputation in Large Transformer
 * Models" (2022), section 4, in 16-bit precision, for one micro-batch of b samples of s tokens, hidden h,
 * a heads, vocabulary V on one of t tensor ranks. Written from the paper, independently of the simulator.
 */
record KorthikantiFormulas(long s, long h, long a, long vocab, long b, long t, boolean sequenceParallel) {
    /** One transformer layer's stash: equations 1-3, without the attention core (selective) or only the input (full). */
    long layer(Recompute mode) {
        long sbh = s * b * h;
        long core = 5 * a * s * s * b / t;
        return switch (mode) {
            case NONE -> replicated(10 * sbh) + 24 * sbh / t + core;
            case SELECTIVE -> replicated(10 * sbh) + 24 * sbh / t;
            case FULL -> replicated(2 * sbh);
        };
    }

    /** Most bytes rebuilt at once by a recomputing backward: the core, or one layer beyond its input. */
    long recomputed(Recompute mode) {
        return switch (mode) {
            case NONE -> 0;
            case SELECTIVE -> 5 * a * s * s * b / t;
            case FULL -> layer(Recompute.NONE) - layer(Recompute.FULL);
        };
    }

    /** The embedding's dropout mask (section 4.3) and the token ids, kept as 2-byte values. */
    long embedding() {
        return replicated(s * b * h) + 2 * s * b;
    }

    /** Final LayerNorm and output projection inputs, fp32 logits for the loss: {@code 4 s b h + 4 s b V / t}. */
    long head() {
        return replicated(4 * s * b * h) + 4 * s * b * vocab / t;
    }

    /** Bytes that sequence parallelism splits t ways and plain tensor parallelism replicates. */
    private long replicated(long bytes) {
        return sequenceParallel ? bytes / t : bytes;
    }
}
