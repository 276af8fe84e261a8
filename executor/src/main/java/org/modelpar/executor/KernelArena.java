package org.modelpar.executor;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.modelpar.executor.model.Arena;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A worker's {@link Arena}: each kernel call runs in the worker's kernel workspace ({@link Scratch}), what
 * outlives it is copied into the worker's {@link ArrayPool}. It also tells the device's ledger what an instruction
 * holds beyond it, when it holds it: as each kernel call ends, the instruction's kept arrays, the call's temporaries and
 * what the instruction allocated outside its calls, on top of what the ledger counts at that moment (gradients a
 * backward allocates and reduces as it goes included), and once more as the instruction ends ({@link #account}), so
 * the ledger's peak is the most that was live at once. Used by its worker's thread only.
 */
public final class KernelArena implements Arena {
    private final ArrayPool pool;
    private final LongConsumer eachCall;
    private final Optional<MemoryLedger> ledger;
    private long lentAtStart;

    /** A worker's arena, telling {@code ledger} what its instructions hold beyond it. */
    KernelArena(ArrayPool pool, MemoryLedger ledger) {
        this(pool, bytes -> { }, Optional.of(ledger));
    }

    /** An arena that tells {@code eachCall} the temporaries of every kernel call (its output included). */
    KernelArena(ArrayPool pool, LongConsumer eachCall) {
        this(pool, eachCall, Optional.empty());
    }

    private KernelArena(ArrayPool pool, LongConsumer eachCall, Optional<MemoryLedger> ledger) {
        this.pool = pool;
        this.eachCall = eachCall;
        this.ledger = ledger;
    }

    /** An arena with a pool of its own, for running stages outside a worker (calibration) as a worker does. */
    public static KernelArena create() {
        return new KernelArena(new ArrayPool(), bytes -> { });
    }

    /** Starts measuring a pass: the arrays it keeps count from here. */
    void begin() {
        lentAtStart = pool.lentBytes();
    }

    /**
     * Records what the instruction holds as it ends beyond the ledger (its kept arrays, not yet handed to the ledger,
     * and what it allocated outside kernel calls) as workspace that was live on top of the ledger's count, then
     * released: an instruction that needs more than the budget fails, naming the device.
     */
    void account(MemoryWorkspace instruction, MemoryLedger ledger) {
        ledger.momentary(MemoryCategory.WORKSPACE, kept() + instruction.getThisCycleAllocations());
    }

    @Override
    public <T> T call(Supplier<T> kernel) {
        try (MemoryWorkspace scope = Scratch.openKernel()) {
            T result = kernel.get();
            long bytes = scope.getThisCycleAllocations();
            ledger.ifPresent(l -> l.momentary(MemoryCategory.WORKSPACE, kept() + bytes + Scratch.instructionAllocations()));
            eachCall.accept(bytes);
            return result;
        }
    }

    /** The arrays kept since the pass began. */
    private long kept() {
        return Math.max(0, pool.lentBytes() - lentAtStart);
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
