package org.modelpar.profiles;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * How many kernels a device's runtime starts for one op, by op kind, and for one optimizer update of one
 * parameter tensor, by optimizer: what a cost model multiplies by the device's {@code kernelLaunchSeconds}.
 * The runtime that runs the kernels supplies the counts (modelpar's executor for its CPU workers: its
 * profiler writes them into the device profile it measures); devices whose efficiency curves already carry
 * the launch cost (the catalog GPUs) list none.
 *
 * @param opKinds            launches of one op, by op kind
 * @param optimizerPerTensor launches of one optimizer update of one parameter tensor, by optimizer
 *                           ({@code adam}, {@code sgd})
 */
public record KernelLaunches(Map<String, OpLaunches> opKinds, Map<String, Integer> optimizerPerTensor) {
    /** No counts: a device without a separate launch cost. */
    public static final KernelLaunches NONE = new KernelLaunches(Map.of(), Map.of());

    public KernelLaunches {
        opKinds = Collections.unmodifiableMap(new TreeMap<>(opKinds));
        optimizerPerTensor = Collections.unmodifiableMap(new TreeMap<>(optimizerPerTensor));
        opKinds.forEach((kind, launches) -> {
            if (kind.isBlank() || launches == null) {
                throw new ProfileException("kernelLaunches.ops: op kind '" + kind + "' needs its launch counts");
            }
        });
        optimizerPerTensor.forEach((optimizer, count) -> {
            if (optimizer.isBlank() || count == null || count < 0) {
                throw new ProfileException("kernelLaunches.optimizerPerTensor." + optimizer
                        + " must be a non-negative count, got " + count);
            }
        });
    }

    /** The launches of an op of {@code kind}, if the runtime lists that kind. */
    public Optional<OpLaunches> of(String kind) {
        return Optional.ofNullable(opKinds.get(kind));
    }

    /** The launches of one update of one parameter tensor by {@code optimizer}, if listed. */
    public OptionalInt optimizerPerTensor(String optimizer) {
        Integer n = optimizerPerTensor.get(optimizer);
        return n == null ? OptionalInt.empty() : OptionalInt.of(n);
    }

    /** Whether no count is listed. */
    public boolean isEmpty() {
        return opKinds.isEmpty() && optimizerPerTensor.isEmpty();
    }

    /**
     * The kernels one op starts.
     *
     * @param forward          launches of its forward
     * @param backward         launches of its backward, the gradient accumulations after it included
     * @param parameterTensors parameter tensors it owns (each costs the optimizer its own launches)
     */
    public record OpLaunches(int forward, int backward, int parameterTensors) {
        public OpLaunches {
            if (forward < 0 || backward < 0 || parameterTensors < 0) {
                throw new ProfileException("launch counts must be non-negative, got forward " + forward
                        + ", backward " + backward + ", parameterTensors " + parameterTensors);
            }
        }
    }
}
