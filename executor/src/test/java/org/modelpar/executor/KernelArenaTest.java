package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

class KernelArenaTest {
    /**
     * A gradient the instruction allocates and frees while it runs (a ZeRO-2 backward reduces its buckets as it goes)
     * is live while a kernel's temporaries are: the ledger's peak holds both, not the larger one.
     */
    @Test
    void aCallsTemporariesCountOnTopOfWhatTheLedgerHoldsThen() {
        MemoryLedger ledger = new MemoryLedger("cpu0", 1 << 30);
        KernelArena arena = new KernelArena(new ArrayPool(), ledger);
        try (MemoryWorkspace instruction = Scratch.open()) {
            arena.begin();
            ledger.allocate(MemoryCategory.GRADIENTS, 10_000);
            arena.call(() -> Nd4j.create(DataType.FLOAT, 1024).addi(1));
            ledger.release(MemoryCategory.GRADIENTS, 10_000);
            arena.account(instruction, ledger);
        }
        assertThat(ledger.peakBytes()).isGreaterThanOrEqualTo(10_000 + 4 * 1024);
        assertThat(ledger.liveBytes()).isZero();
    }
}
