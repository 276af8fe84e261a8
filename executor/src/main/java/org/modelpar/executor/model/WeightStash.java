package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.executor.kernel.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a split backward's input-gradient pass keeps for its weight-gradient pass (Qi et al., "Zero Bubble
 * Pipeline Parallelism", ICLR 2024: W runs after B, from B's output gradient and the forward's saved tensors):
 * per op with parameters, in backward order, its output gradient and what its forward saved.
 *
 * @param outputGrads the output gradient of each op with parameters, by op id, in backward order
 * @param saved       what each of those ops' forward saved, by op id
 */
public record WeightStash(Map<String, INDArray> outputGrads, Map<String, List<INDArray>> saved) {
    public WeightStash {
        outputGrads = Collections.unmodifiableMap(new LinkedHashMap<>(outputGrads));
        saved = Collections.unmodifiableMap(new LinkedHashMap<>(saved));
    }

    /** Every array held (may repeat). */
    public List<INDArray> arrays() {
        List<INDArray> out = new ArrayList<>(outputGrads.values());
        saved.values().forEach(out::addAll);
        return out;
    }

    /** Bytes held, each distinct array counted once. */
    public long bytes() {
        Set<INDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(arrays());
        return seen.stream().mapToLong(Tensors::bytes).sum();
    }
}
