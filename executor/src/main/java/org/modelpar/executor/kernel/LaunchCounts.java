package org.modelpar.executor.kernel;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.modelpar.profiles.KernelLaunches;
import org.modelpar.profiles.KernelLaunches.OpLaunches;
import org.modelpar.simulator.plan.OptimizerKind;

/**
 * How many native ND4J ops this package's kernels start, by op kind: the executor's side of the device
 * profile's {@link KernelLaunches} (the profiler writes {@link #asData()} into the profile it measures, and
 * the catalog's {@code local-cpu} default carries the same counts). The kernels are unfused ND4J calls that
 * ND4J's {@code OpProfiler} counts (the executor's tests check these counts against it): a non-in-place
 * broadcast is a copy and an op, a matrix product two ops, views and bare allocations none. A backward also
 * counts one op per parameter gradient it accumulates and one per input gradient it hands on (copied or
 * summed into the producer's gradient; an op fed by the model's input data hands on none, which a count
 * that knows only the kind counts anyway).
 *
 * @param forward          native ops of one forward
 * @param backwardKernel   native ops of the kernel's backward
 * @param accumulations    gradient accumulations after the backward (parameter and input gradients)
 * @param parameterTensors parameter tensors the op owns (each costs the optimizer its own launches)
 */
public record LaunchCounts(int forward, int backwardKernel, int accumulations, int parameterTensors) {
    /** Native ops of one optimizer update of one parameter tensor: Adam's fused m, v and step, then the
     * weight; SGD's gradient scale, then the subtraction. */
    private static final Map<OptimizerKind, Integer> OPTIMIZER_PER_TENSOR = Map.of(OptimizerKind.ADAM, 2,
            OptimizerKind.SGD, 2);
    private static final Map<String, LaunchCounts> BY_KIND = Map.ofEntries(
            // one-hot ids (least, greatest, shift, rows), product (2), tile, add | one-hot (4), product (2), position sum
            Map.entry("embedding", new LaunchCounts(8, 7, 2, 2)),
            // mean, centre (2), square, mean, +eps, pow, normalise, scale (2), shift | x-hat (3), 14
            Map.entry("layernorm", new LaunchCounts(11, 17, 3, 2)),
            // product (2), bias | dx (2), dW (2), db
            Map.entry("linear", new LaunchCounts(3, 5, 3, 2)),
            // q and k: column copy + two head copies each, batched product, scale | 2 x (product, scale),
            // 2 x (head copy, assign)
            Map.entry("attention-scores", new LaunchCounts(8, 8, 1, 0)),
            // copy, mask add, row softmax (max, shift (2), exp, sum, divide) and its reshapes | 5
            Map.entry("softmax", new LaunchCounts(9, 5, 1, 0)),
            // v: column copy + two head copies, batched product, head copy | 2 head copies, 2 products,
            // head copy, assign
            Map.entry("attention-context", new LaunchCounts(5, 6, 2, 0)),
            // add | nothing: the gradient goes to both inputs
            Map.entry("residual-add", new LaunchCounts(1, 0, 2, 0)),
            // tanh approximation: 6 for the inner tanh, 3 more | 6 + 13
            Map.entry("gelu", new LaunchCounts(9, 19, 1, 0)),
            // relu | mask, cast, multiply
            Map.entry("relu", new LaunchCounts(1, 3, 1, 0)),
            // product with the tied word table (2) | dx (2), dW (2); dW accumulates into the tied table
            Map.entry("logits", new LaunchCounts(2, 4, 2, 0)),
            // one-hot (4), max, shift (2), exp, row sum, product, row sum, concat, log, 2 sums, normalise | one-hot
            // (4), subtract, scale
            Map.entry("cross-entropy", new LaunchCounts(16, 6, 1, 0)),
            // difference, square, sum | scale
            Map.entry("mse-loss", new LaunchCounts(3, 1, 1, 0)),
            // product (2), row softmax | the logit gradient in each part, dX (2), dW (2)
            Map.entry("moe-router", new LaunchCounts(8, 14, 2, 1)),
            // dispatch (gather, and the product that zeroes the empty slots), fc1 (3), gelu (9), fc2 (3) | fc1 and gelu
            // again, their backwards, undispatch (gather, product); the routing itself is host code
            Map.entry("moe-expert", new LaunchCounts(17, 43, 5, 4)),
            // per expert: undispatch, weight by its column, sum | per expert: the slots' gradient
            // (weight, dispatch) and the probability's (undispatch, product, row sum, column put); a shared expert's
            // output adds one more forward op, which a count by kind leaves out
            Map.entry("moe-combine", new LaunchCounts(15, 36, 5, 0)));

    public LaunchCounts {
        if (forward < 0 || backwardKernel < 0 || accumulations < 0 || parameterTensors < 0) {
            throw new IllegalArgumentException("launch counts must be non-negative, got " + forward + ", "
                    + backwardKernel + ", " + accumulations + ", " + parameterTensors);
        }
    }

    /** The counts of the kernel of an op kind, if the executor runs that kind ({@link Kernels#create}). */
    public static Optional<LaunchCounts> of(String kind) {
        return Optional.ofNullable(BY_KIND.get(kind));
    }

    /** Native ops of one optimizer update of one parameter tensor. */
    public static int optimizerPerTensor(OptimizerKind optimizer) {
        return OPTIMIZER_PER_TENSOR.get(optimizer);
    }

    /** Native ops of one backward: the kernel's and the gradient accumulations after it. */
    public int backward() {
        return backwardKernel + accumulations;
    }

    /** All counts as the device profile's data. */
    public static KernelLaunches asData() {
        Map<String, OpLaunches> ops = new TreeMap<>();
        BY_KIND.forEach((kind, c) -> ops.put(kind, new OpLaunches(c.forward(), c.backward(), c.parameterTensors())));
        Map<String, Integer> optimizers = new TreeMap<>();
        OPTIMIZER_PER_TENSOR.forEach((o, n) -> optimizers.put(o.jsonName(), n));
        return new KernelLaunches(ops, optimizers);
    }
}
