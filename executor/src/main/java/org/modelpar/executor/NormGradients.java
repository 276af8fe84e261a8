package org.modelpar.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.modelpar.executor.kernel.TensorGroup;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.executor.model.Boundary;
import org.modelpar.graph.OpNode;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * With sequence parallelism, the layer norms' parameter gradients of a device's stages, each rank's sums over its part
 * of the sequence, accumulated over the step's micro-batches and summed over the tensor group once per step, before
 * the optimizer step, in one flattened all-reduce per stage: Megatron-LM's finalize-model-grads
 * ({@code _allreduce_layernorm_grads}; Korthikanti et al. 2022, section 4.2.2). The program's step-end
 * {@code TensorCollective} runs it ({@link TensorParallel#sumsGradientsAtStepEnd} says which).
 */
final class NormGradients {
    /** None: no sequence parallelism. */
    static final NormGradients NONE = new NormGradients(TensorGroup.SOLO, Map.of());

    private final TensorGroup group;
    private final Map<Integer, List<String>> byStage;

    private NormGradients(TensorGroup group, Map<Integer, List<String>> byStage) {
        this.group = group;
        this.byStage = Map.copyOf(byStage);
    }

    /** The layer norms' gradients of the device's {@code chunks} (by stage) that {@code tp} sums once per step. */
    static NormGradients of(TensorParallel tp, Boundary boundary, Map<Integer, DeviceWorker.Chunk> chunks) {
        Map<Integer, List<String>> byStage = new TreeMap<>();
        chunks.forEach((stage, chunk) -> {
            List<String> names = new ArrayList<>();
            for (OpNode op : boundary.ops(stage)) {
                if (tp.sumsGradientsAtStepEnd(op)) {
                    names.addAll(chunk.model().parametersOf(op.id()));
                }
            }
            if (!names.isEmpty()) {
                byStage.put(stage, List.copyOf(names));
            }
        });
        return byStage.isEmpty() ? NONE : new NormGradients(tp.group(), byStage);
    }

    /**
     * Sums {@code stage}'s layer norms' gradients over the tensor group, in place. Under ZeRO stage 2 each is
     * expanded to its whole gradient (this replica's part of the data-parallel sum, zeros elsewhere: the group's
     * members hold the same part) and collapsed back, as a tied weight's all-reduce does.
     */
    void reduce(int stage, DeviceState state) {
        List<String> names = byStage.getOrDefault(stage, List.of());
        if (names.isEmpty()) {
            return;
        }
        List<INDArray> grads = names.stream().map(n -> state.sharded.map(g -> g.expand(n)).orElseGet(() -> state.grads.get(n)))
                .toList();
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            long length = grads.stream().mapToLong(INDArray::length).sum();
            INDArray flat = Nd4j.create(grads.get(0).dataType(), length);
            long at = 0;
            for (INDArray g : grads) {
                flat.get(NDArrayIndex.interval(at, at + g.length())).assign(g.reshape(g.length()));
                at += g.length();
            }
            group.allReduce(flat);
            at = 0;
            for (INDArray g : grads) {
                g.assign(flat.get(NDArrayIndex.interval(at, at + g.length())).reshape(g.shape()));
                at += g.length();
            }
        }
        state.sharded.ifPresent(g -> names.forEach(g::collapse));
    }
}
