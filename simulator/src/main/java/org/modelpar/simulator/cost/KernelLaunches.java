package org.modelpar.simulator.cost;

import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.OptimizerKind;

/**
 * How many kernels one op starts, by op kind: what the roofline cost model multiplies by the device's
 * {@code kernelLaunchSeconds}. The counts are those of modelpar's executor, whose kernels are unfused ND4J
 * calls (one launch per call that runs a native op or allocates its result; views such as reshape,
 * permute and transpose are free). A backward also counts one launch per parameter gradient it
 * accumulates and one per input gradient it hands on (copied or summed into the producer's gradient).
 * Kinds the executor does not run count one forward and two backward launches (data and weight
 * gradients). Fused GPU kernels launch fewer; the catalog GPUs charge no separate launch cost for that
 * reason (docs/profiles.md).
 *
 * @param forward          kernels of one forward
 * @param backward         kernels of one backward, gradient accumulation included
 * @param parameterTensors parameter tensors the op owns (each costs the optimizer its own launches)
 */
public record KernelLaunches(int forward, int backward, int parameterTensors) {
    /** Adam's launches per parameter tensor: update m (3), v (4), the denominator (3) and the weight (4). */
    static final int ADAM_PER_TENSOR = 14;
    /** SGD's launches per parameter tensor: scale the gradient, subtract it. */
    static final int SGD_PER_TENSOR = 2;

    public KernelLaunches {
        if (forward < 0 || backward < 0 || parameterTensors < 0) {
            throw new IllegalArgumentException("launch counts must be non-negative, got " + forward + ", " + backward
                    + ", " + parameterTensors);
        }
    }

    /** The launches of an op of the given kind (see the class comment for how they are counted). */
    public static KernelLaunches of(OpNode op) {
        return switch (op.kind()) {
            // one-hot ids (4: copy, cast, create, cast), product with the table, tile positions, add | one-hot,
            // product, position sum, 2 accumulations
            case "embedding" -> new KernelLaunches(7, 8, 2);
            // mean, centre, square, mean, +eps, pow, normalise, scale, shift | 11 + 2 accumulations + dx
            case "layernorm" -> new KernelLaunches(9, 14, 2);
            // matmul, bias | dx, dW, db + 2 accumulations + dx
            case "linear" -> new KernelLaunches(2, 6, 2);
            // q and k: column copy + two head copies each, batched matmul, scale | 2 x (matmul, scale),
            // zeros, 2 x (head copy, assign) + dqkv
            case "attention-scores" -> new KernelLaunches(8, 10, 0);
            // copy, mask add, row softmax (max, shift, exp, sum, divide) | copy, product, row sum, subtract,
            // multiply + dx
            case "softmax" -> new KernelLaunches(7, 6, 0);
            // v: column copy + two head copies, batched matmul, head copy | two head copies, 2 matmuls, zeros,
            // head copy, assign + dprobs, dqkv
            case "attention-context" -> new KernelLaunches(5, 9, 0);
            // add | the gradient handed to both inputs
            case "residual-add" -> new KernelLaunches(1, 2, 0);
            // tanh approximation: 6 for the inner tanh, 3 more | 6 + 13 + dx
            case "gelu" -> new KernelLaunches(9, 20, 0);
            // relu | mask, cast, multiply + dx
            case "relu" -> new KernelLaunches(1, 4, 0);
            // matmul with the tied word table | dx, dW + accumulation into the tied table + dx
            case "logits" -> new KernelLaunches(1, 4, 0);
            // one-hot (4), max, shift, exp, sum, log, 2 sums, product, zeros, softmax (5) | one-hot (4),
            // subtract, scale + dlogits
            case "cross-entropy" -> new KernelLaunches(18, 7, 0);
            // difference, square, sum, zeros | scale + dx
            case "mse-loss" -> new KernelLaunches(4, 2, 0);
            default -> new KernelLaunches(1, 2, op.parameterBytes() > 0 ? 1 : 0);
        };
    }

    /** Launches of one optimizer update of one parameter tensor. */
    public static int optimizerPerTensor(OptimizerKind optimizer) {
        return switch (optimizer) {
            case ADAM -> ADAM_PER_TENSOR;
            case SGD -> SGD_PER_TENSOR;
        };
    }
}
