package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.simulator.plan.Recompute;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a stage's forward pass keeps for its backward pass.
 *
 * @param inputs      received boundary tensors by producer id
 * @param data        input data rows of the samples
 * @param targets     target rows of the samples
 * @param samples     sample count
 * @param recomputation what backward rebuilds instead of reading it here
 * @param saved       what each op's kernel saved, by op id: every op's, or under recomputation those of the ops
 *                    outside recompute segments
 * @param checkpoints under recomputation, the stage's own values that recompute segments read, by producer id
 */
public record Stash(Map<String, INDArray> inputs, INDArray data, INDArray targets, int samples, Recompute recomputation,
                    Map<String, List<INDArray>> saved, Map<String, INDArray> checkpoints) {
    public Stash {
        inputs = Map.copyOf(inputs);
        saved = Collections.unmodifiableMap(new java.util.LinkedHashMap<>(saved));
        checkpoints = Map.copyOf(checkpoints);
    }

    /** The same stash with only the received inputs, data and targets (after backward). */
    public Stash inputsOnly() {
        return new Stash(inputs, data, targets, samples, recomputation, Map.of(), Map.of());
    }

    /** Every array held: inputs, data, targets, checkpoints and what the kernels saved (may repeat; may hold null). */
    public List<INDArray> arrays() {
        List<INDArray> out = new ArrayList<>(inputs.values());
        out.add(data);
        out.add(targets);
        out.addAll(checkpoints.values());
        saved.values().forEach(out::addAll);
        return out;
    }

    /** Bytes held, each distinct array counted once (data and targets are views of the step's batch). */
    public long bytes() {
        Set<INDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(inputs.values());
        seen.addAll(checkpoints.values());
        saved.values().forEach(seen::addAll);
        return seen.stream().mapToLong(Tensors::bytes).sum();
    }
}
