package org.modelpar.executor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.model.Initializer;
import org.modelpar.executor.model.Optimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a device holds across steps: its parameters, gradient accumulators and optimizer, all accounted
 * in its ledger.
 */
final class DeviceState {
    final Map<String, INDArray> params = new LinkedHashMap<>();
    final Map<String, INDArray> grads = new LinkedHashMap<>();
    final Optimizer optimizer;
    final MemoryLedger ledger;

    DeviceState(List<ParameterSpec> specs, long seed, DataType type, Optimizer optimizer, MemoryLedger ledger) {
        this.optimizer = optimizer;
        this.ledger = ledger;
        for (ParameterSpec s : specs) {
            INDArray p = Initializer.initialise(s, seed, type);
            long bytes = Tensors.bytes(p);
            ledger.allocate(MemoryCategory.PARAMETERS, bytes);
            ledger.allocate(MemoryCategory.GRADIENTS, bytes);
            ledger.allocate(MemoryCategory.OPTIMIZER, optimizer.stateBytes(bytes));
            params.put(s.name(), p);
            grads.put(s.name(), p.like().assign(0));
        }
    }

    void zeroGradients() {
        grads.values().forEach(g -> g.assign(0));
    }

    /** Copies of the parameters. */
    Map<String, INDArray> parameterCopies() {
        Map<String, INDArray> out = new HashMap<>();
        params.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /** Overwrites the parameters this device holds with the given values (others are ignored). */
    void load(Map<String, INDArray> values, Map<String, INDArray> optimizerState) {
        params.forEach((name, p) -> {
            INDArray v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("checkpoint has no parameter " + name);
            }
            p.assign(v);
        });
        Map<String, INDArray> mine = new HashMap<>();
        optimizerState.forEach((k, v) -> {
            int slash = k.lastIndexOf('/');
            if (k.startsWith("adam/") || params.containsKey(k.substring(0, Math.max(0, slash)))) {
                mine.put(k, v.castTo(params.values().iterator().next().dataType()));
            }
        });
        optimizer.restore(mine);
    }
}
