package org.modelpar.executor;

import java.util.Collection;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.modelpar.executor.model.Arena;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A worker's {@link Arena}: each kernel call runs in the worker's kernel workspace ({@link Scratch}), what
 * outlives it is copied into the worker's {@link ArrayPool}. It also measures what an instruction needs
 * beyond the ledger: the most bytes that the instruction's kept arrays and one call's temporaries
 * occupied together, so the ledger's peak counts them ({@link #account}). Used by its worker's thread only.
 */
public final class KernelArena implements Arena {
    private final ArrayPool pool;
    private final LongConsumer eachCall;
    private long lentAtStart;
    private long peakBytes;

    KernelArena(ArrayPool pool) {
        this(pool, bytes -> { });
    }

    /** An arena that tells {@code eachCall} the temporaries of every kernel call (its output included). */
    KernelArena(ArrayPool pool, LongConsumer eachCall) {
        this.pool = pool;
        this.eachCall = eachCall;
    }

    /** An arena with a pool of its own, for running stages outside a worker (calibration) as a worker does. */
    public static KernelArena create() {
        return new KernelArena(new ArrayPool());
    }

    /** Starts measuring an instruction. */
    void begin() {
        lentAtStart = pool.lentBytes();
        peakBytes = 0;
    }

    /**
     * Records the instruction's transient peak (plus what it allocated outside kernel calls, in the
     * instruction's workspace) in the ledger as workspace that was live on top of the ledger's count,
     * then released: an instruction that needs more than the budget fails, naming the device.
     */
    void account(MemoryWorkspace instruction, MemoryLedger ledger) {
        long bytes = peakBytes + instruction.getThisCycleAllocations();
        ledger.allocate(MemoryCategory.WORKSPACE, bytes);
        ledger.release(MemoryCategory.WORKSPACE, bytes);
    }

    @Override
    public <T> T call(Supplier<T> kernel) {
        try (MemoryWorkspace scope = Scratch.openKernel()) {
            T result = kernel.get();
            long kept = Math.max(0, pool.lentBytes() - lentAtStart);
            long bytes = scope.getThisCycleAllocations();
            peakBytes = Math.max(peakBytes, kept + bytes);
            eachCall.accept(bytes);
            return result;
        }
    }

    @Override
    public INDArray keep(INDArray a) {
        return pool.copyOut(a);
    }

    @Override
    public INDArray copy(INDArray a) {
        return pool.copy(a);
    }

    @Override
    public void release(Collection<INDArray> arrays) {
        pool.release(arrays, List.of());
    }
}
