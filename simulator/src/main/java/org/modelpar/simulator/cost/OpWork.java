package org.modelpar.simulator.cost;

import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;

/**
 * How much of an op one device runs: {@code samples} samples (may be fractional for averages), split
 * {@code tensorParallel} ways, in {@code precision}; measured op times are for {@code measuredBatchSize}
 * samples (the graph's).
 *
 * @param samples           samples this device processes, non-negative
 * @param tensorParallel    tensor-parallel degree t, at least 1
 * @param precision         training precision (picks the peak FLOP/s and scales fp32 bytes)
 * @param measuredBatchSize samples the op's measured times are for, at least 1
 * @param rowParallel       whether tensor parallelism splits the op's input features rather than its outputs
 *                          (Megatron-LM's row-parallel linear; {@link GemmShape})
 */
public record OpWork(double samples, int tensorParallel, Precision precision, int measuredBatchSize, boolean rowParallel) {
    public OpWork {
        if (!Double.isFinite(samples) || samples < 0) {
            throw new PlanException("samples must be finite and non-negative, got " + samples);
        }
        if (tensorParallel < 1) {
            throw new PlanException("tensorParallel must be at least 1, got " + tensorParallel);
        }
        if (precision == null) {
            throw new PlanException("precision is required");
        }
        if (measuredBatchSize < 1) {
            throw new PlanException("measuredBatchSize must be at least 1, got " + measuredBatchSize);
        }
    }

    /** Work of an op whose outputs (if any) tensor parallelism splits. */
    public OpWork(double samples, int tensorParallel, Precision precision, int measuredBatchSize) {
        this(samples, tensorParallel, precision, measuredBatchSize, false);
    }

    /** The same work, row-parallel or not. */
    public OpWork withRowParallel(boolean on) {
        return new OpWork(samples, tensorParallel, precision, measuredBatchSize, on);
    }

    /** Graph bytes are fp32; this is the factor to the plan's precision (1 for fp32, 0.5 for bf16/fp16). */
    public double byteScale() {
        return precision.computeBytes() / 4.0;
    }
}
