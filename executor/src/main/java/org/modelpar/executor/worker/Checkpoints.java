package org.modelpar.executor.worker;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.modelpar.executor.train.Checkpoint;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Assembles one checkpoint from the ranks' parts: each tensor from the lowest rank that holds it. */
final class Checkpoints {
    private Checkpoints() {
    }

    static Checkpoint assemble(String model, String planHash, int stepsDone, Collection<StepReport> parts) {
        Map<String, INDArray> params = new TreeMap<>();
        Map<String, INDArray> optimizer = new TreeMap<>();
        parts.stream().sorted(java.util.Comparator.comparingInt(StepReport::rank)).forEach(r -> {
            r.parameters().forEach(params::putIfAbsent);
            r.optimizerState().forEach(optimizer::putIfAbsent);
        });
        return new Checkpoint(model, planHash, stepsDone, params, optimizer);
    }
}
