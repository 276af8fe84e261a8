package org.modelpar.simulator.cost;

import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.OptimizerKind;

/**
 * How many kernels one op starts, by op kind: what the roofline cost model multiplies by the device's
 * {@code kernelLaunchSeconds}. The counts are the native ND4J ops that modelpar's executor runs for the op
 * (its kernels are unfused ND4J calls; ND4J's {@code OpProfiler} counts them, and the executor's tests
 * check this table against it): a non-in-place broadcast is a copy and an op, a matrix product two ops,
 * views and bare allocations none. A backward also counts one op per parameter gradient it accumulates
 * and one per input gradient it hands on (copied or summed into the producer's gradient; an op fed by the
 * model's input data hands on none, which this table, knowing only the kind, counts anyway).
 * Kinds the executor does not run count one forward and two backward launches (data and weight
 * gradients). Fused GPU kernels launch fewer; the catalog GPUs charge no separate launch cost for that
 * reason (docs/profiles.md).
 *
 * @param forward          native ops of one forward
 * @param backwardKernel   native ops of the kernel's backward
 * @param accumulations    gradient accumulations after the backward (parameter and input gradients)
 * @param parameterTensors parameter tensors the op owns (each costs the optimizer its own launches)
 */
public record KernelLaunches(int forward, int backwardKernel, int accumulations, int parameterTensors) {
    /** Adam's launches per parameter tensor: the fused update of m, v and the step, then the weight. */
    static final int ADAM_PER_TENSOR = 2;
    /** SGD's launches per parameter tensor: scale the gradient, subtract it. */
    static final int SGD_PER_TENSOR = 2;

    public KernelLaunches {
        if (forward < 0 || backwardKernel < 0 || accumulations < 0 || parameterTensors < 0) {
            throw new IllegalArgumentException("launch counts must be non-negative, got " + forward + ", "
                    + backwardKernel + ", " + accumulations + ", " + parameterTensors);
        }
    }

    /** Launches of one backward: the kernel's and the gradient accumulations. */
    public int backward() {
        return backwardKernel + accumulations;
    }

    /** The launches of an op of the given kind (see the class comment for how they are counted). */
    public static KernelLaunches of(OpNode op) {
        return switch (op.kind()) {
            // one-hot ids (copy, 2 casts), product (2), tile, add | one-hot (3), product (2), position sum
            case "embedding" -> new KernelLaunches(7, 6, 2, 2);
            // mean, centre (2), square, mean, +eps, pow, normalise, scale (2), shift | 14
            case "layernorm" -> new KernelLaunches(11, 14, 3, 2);
            // product (2), bias | dx (2), dW (2), db
            case "linear" -> new KernelLaunches(3, 5, 3, 2);
            // q and k: column copy + two head copies each, batched product, scale | 2 x (product, scale),
            // 2 x (head copy, assign)
            case "attention-scores" -> new KernelLaunches(8, 8, 1, 0);
            // copy, mask add, row softmax (max, shift (2), exp, sum, divide) and its reshapes | 5
            case "softmax" -> new KernelLaunches(9, 5, 1, 0);
            // v: column copy + two head copies, batched product, head copy | 2 head copies, 2 products,
            // head copy, assign
            case "attention-context" -> new KernelLaunches(5, 6, 2, 0);
            // add | nothing: the gradient goes to both inputs
            case "residual-add" -> new KernelLaunches(1, 0, 2, 0);
            // tanh approximation: 6 for the inner tanh, 3 more | 6 + 13
            case "gelu" -> new KernelLaunches(9, 19, 1, 0);
            // relu | mask, cast, multiply
            case "relu" -> new KernelLaunches(1, 3, 1, 0);
            // product with the tied word table (2) | dx (2), dW (2); dW accumulates into the tied table
            case "logits" -> new KernelLaunches(2, 4, 2, 0);
            // one-hot (3), max, shift (2), exp, sum, log, 2 sums, product, softmax (6) | one-hot (3), subtract,
            // scale
            case "cross-entropy" -> new KernelLaunches(18, 5, 1, 0);
            // difference, square, sum | scale
            case "mse-loss" -> new KernelLaunches(3, 1, 1, 0);
            default -> new KernelLaunches(1, 2, 0, op.parameterBytes() > 0 ? 1 : 0);
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
