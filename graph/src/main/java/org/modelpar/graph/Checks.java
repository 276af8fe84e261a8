package org.modelpar.graph;

/**
 * Argument checks whose failures name the field and the value. The upper bounds keep the arithmetic
 * downstream finite and exact: the solver scores step times as 64-bit nanoseconds (at most about 9.2e18)
 * and the simulator sums bytes over ops, micro-batches and devices as 64-bit counts. One op at 1e18 FLOPs
 * per sample is over a thousand times a whole GPT-3 175B forward pass of a 2,048-token sample (3.5e14
 * FLOPs, Brown et al. 2020); one op with a pebibyte per sample is beyond any accelerator.
 */
final class Checks {
    /** The most FLOPs one op may do per sample. */
    static final double MAX_FLOPS = 1e18;
    /** The most bytes one op may hold per sample (1 PiB). */
    static final long MAX_BYTES = 1L << 50;

    private Checks() {
    }

    static double flops(String field, double value) {
        nonNegative(field, value);
        if (value > MAX_FLOPS) {
            throw new GraphException(field + " must be at most " + MAX_FLOPS + " FLOPs per sample, got " + value);
        }
        return value;
    }

    static long bytes(String field, long value) {
        nonNegative(field, value);
        if (value > MAX_BYTES) {
            throw new GraphException(field + " must be at most " + MAX_BYTES + " bytes (1 PiB), got " + value);
        }
        return value;
    }

    static double nonNegative(String field, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new GraphException(field + " must be finite and non-negative, got " + value);
        }
        return value;
    }

    static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new GraphException(field + " must be non-negative, got " + value);
        }
        return value;
    }

    static String id(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new GraphException(field + " must be a non-empty string, got " + (value == null ? "null" : "'" + value + "'"));
        }
        return value;
    }
}
