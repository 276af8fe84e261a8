package org.modelpar.simulator.plan;

/**
 * Activation bytes per sample that a tensor-parallel rank stashes for the backward pass, by how tensor and
 * sequence parallelism split them. Values are in quarter bytes (4 x bytes) so that fp32 graph bytes scaled to
 * a 16-bit precision stay integers; {@link #bytes} rounds up once per part.
 *
 * @param sharded    split t ways by tensor parallelism (attention heads, MLP columns, vocabulary)
 * @param replicated held whole by every tensor rank unless sequence parallelism splits it t ways (LayerNorm
 *                   inputs, dropout masks, the residual stream)
 * @param whole      held whole by every tensor rank (pipeline inputs without sequence parallelism, token ids)
 */
public record Stash(long sharded, long replicated, long whole) {
    public static final Stash NONE = new Stash(0, 0, 0);

    public Stash {
        if (sharded < 0 || replicated < 0 || whole < 0) {
            throw new IllegalArgumentException("stash quarter bytes must be non-negative, got " + sharded + ", "
                    + replicated + ", " + whole);
        }
    }

    public Stash plus(Stash o) {
        return new Stash(Math.addExact(sharded, o.sharded), Math.addExact(replicated, o.replicated),
                Math.addExact(whole, o.whole));
    }

    /** This stash less {@code o}, part by part, never below 0. */
    public Stash minus(Stash o) {
        return new Stash(Math.max(0, sharded - o.sharded), Math.max(0, replicated - o.replicated),
                Math.max(0, whole - o.whole));
    }

    /** Bytes on one rank for {@code samples} samples under t-way tensor parallelism, rounded up per part. */
    public long bytes(long samples, int tensorParallel, boolean sequenceParallel) {
        long t = tensorParallel;
        return Math.addExact(Math.addExact(ceilDiv(Math.multiplyExact(sharded, samples), 4 * t),
                        ceilDiv(Math.multiplyExact(replicated, samples), 4 * (sequenceParallel ? t : 1))),
                ceilDiv(Math.multiplyExact(whole, samples), 4));
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
