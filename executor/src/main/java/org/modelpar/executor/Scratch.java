package org.modelpar.executor;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.model.StageModel;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A worker's scratch memory: one ND4J workspace per worker thread, opened around each compute or
 * optimizer instruction and reset when it ends, so the kernels' temporaries reuse the same block every
 * instruction instead of allocating fresh off-heap buffers that only the garbage collector frees (which
 * let a 2-worker run grow to gigabytes of resident memory and spend most of its time in page faults).
 * What outlives the instruction (a forward's stash and outputs, a backward's input gradients) is copied
 * out into the worker's {@link ArrayPool} by a {@link Detacher}, each distinct array once. The workspace learns its size in the first
 * instruction and grows to the largest instruction seen (the role of PyTorch's caching allocator).
 */
public final class Scratch {
    private static final String NAME = "modelpar-scratch";
    private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.25)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private Scratch() {
    }

    /** Opens the calling thread's scratch workspace; close it when the instruction ends. */
    public static MemoryWorkspace open() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, NAME);
    }

    /** Frees the calling thread's scratch workspace (when its worker stops). */
    public static void destroy() {
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
    }

    /** Copies arrays out of the scratch workspace into a pool, the same array always to the same copy. */
    static final class Detacher {
        private final ArrayPool pool;
        private final Map<INDArray, INDArray> copies = new IdentityHashMap<>();

        Detacher(ArrayPool pool) {
            this.pool = pool;
        }

        INDArray detach(INDArray a) {
            return a == null ? null : copies.computeIfAbsent(a, pool::copyOut);
        }

        Map<String, INDArray> detach(Map<String, INDArray> arrays) {
            Map<String, INDArray> out = new LinkedHashMap<>();
            arrays.forEach((k, v) -> out.put(k, detach(v)));
            return out;
        }

        StageModel.Stash detach(StageModel.Stash s) {
            Map<String, List<INDArray>> saved = new LinkedHashMap<>();
            s.saved().forEach((k, list) -> saved.put(k, list.stream().map(this::detach).toList()));
            return new StageModel.Stash(detach(s.inputs()), detach(s.data()), detach(s.targets()), s.samples(), saved);
        }
    }
}
