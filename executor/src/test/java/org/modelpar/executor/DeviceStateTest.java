package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.model.Adam;
import org.nd4j.linalg.api.buffer.DataType;

class DeviceStateTest {
    /**
     * One fp32 parameter of 15 elements over 2 replicas: part 0 has 8 elements, part 1 has 7; Adam keeps two values per
     * updated element. Stage 1: whole weights and gradients (60 + 60), state of the part; stage 2: gradient part only;
     * stage 3: the part of everything (the optimizer's state of the held part, not of half of it).
     */
    @ParameterizedTest
    @CsvSource({"0, 0, 60, 120, 60", "1, 0, 60, 64, 60", "1, 1, 60, 56, 60", "2, 0, 60, 64, 32", "2, 1, 60, 56, 28",
        "3, 0, 32, 64, 32", "3, 1, 28, 56, 28"})
    void ledgerHoldsWhatEachZeroStageKeeps(int zeroStage, int rank, long parameters, long optimizer, long gradients) {
        MemoryLedger ledger = new MemoryLedger("cpu" + rank, 1 << 20);
        new DeviceState(List.of(new ParameterSpec("w", new long[] {3, 5}, ParameterSpec.Init.NORMAL, 0.02)), 1,
                DataType.FLOAT, DataType.FLOAT, new Adam(1e-3), ledger, LossScale.none(), zeroStage,
                zeroStage == 0 ? Optional.empty() : Optional.of(new ZeroShards(rank, 2)));
        assertThat(ledger.liveBytes()).isEqualTo(parameters + optimizer + gradients);
    }
}
