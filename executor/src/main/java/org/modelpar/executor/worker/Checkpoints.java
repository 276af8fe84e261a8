package org.modelpar.executor.worker;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.ParameterLayout;
import org.modelpar.executor.train.Checkpoint;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Assembles one checkpoint from the ranks' parts: each whole tensor from the lowest rank that holds it, a
 * tensor-parallel one put together from its ranks' parts ({@link ParameterLayout}).
 */
final class Checkpoints {
    private Checkpoints() {
    }

    /**
     * @param devices the device of each rank, by rank
     */
    static Checkpoint assemble(String model, String planHash, int stepsDone, Collection<StepReport> parts,
                               ParameterLayout layout, List<String> devices) {
        Map<String, Map<String, INDArray>> params = new LinkedHashMap<>();
        Map<String, Map<String, INDArray>> optimizer = new LinkedHashMap<>();
        parts.stream().sorted(java.util.Comparator.comparingInt(StepReport::rank)).forEach(r -> {
            params.put(devices.get(r.rank()), r.parameters());
            optimizer.put(devices.get(r.rank()), r.optimizerState());
        });
        return new Checkpoint(model, planHash, stepsDone, layout.assemble(params), layout.assemble(optimizer));
    }
}
