package org.modelpar.executor;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.MemoryWorkspaceManager;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A worker's scratch memory: ND4J workspaces per worker thread, one opened around each compute or
 * optimizer instruction and reset when it ends, and one nested in it around each kernel call
 * ({@link KernelArena}), so temporaries reuse the same blocks instead of allocating fresh off-heap buffers
 * that only the garbage collector frees (which let a 2-worker run grow to gigabytes of resident memory and
 * spend most of its time in page faults). What outlives a kernel call (its output, what it saves, a
 * gradient) is copied out into the worker's {@link ArrayPool}. A workspace learns its size in its first
 * cycle and grows to the largest cycle seen (the role of PyTorch's caching allocator).
 */
public final class Scratch {
    private static final String NAME = "modelpar-scratch";
    private static final String KERNEL = "modelpar-kernel";
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

    /** Opens the calling thread's kernel workspace, nested in the instruction's: one kernel call's temporaries. */
    public static MemoryWorkspace openKernel() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, KERNEL);
    }

    /** What the calling thread's open instruction has allocated in its scratch workspace this cycle (0 outside one). */
    static long instructionAllocations() {
        MemoryWorkspaceManager manager = Nd4j.getWorkspaceManager();
        return manager.checkIfWorkspaceExistsAndActive(NAME) ? manager.getWorkspaceForCurrentThread(NAME).getThisCycleAllocations() : 0;
    }

    /**
     * Frees the calling thread's scratch and kernel workspaces (when its thread ends). One by one: ND4J's
     * {@code destroyAllWorkspacesForCurrentThread} also forces a full garbage collection, which a thread ending in the
     * middle of other threads' training would run beside their kernels.
     */
    public static void destroy() {
        MemoryWorkspaceManager manager = Nd4j.getWorkspaceManager();
        for (String name : new String[] {NAME, KERNEL}) {
            if (manager.checkIfWorkspaceExists(name)) {
                manager.destroyWorkspace(manager.getWorkspaceForCurrentThread(name));
            }
        }
    }
}
