package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.transport.CallSamples;
import org.modelpar.executor.transport.TransportLoad;

class TransportCpuTest {
    @Test
    void theTypicalStepsCpuPerByteOfTheStepsNoCollectionPaused() {
        TransportCpu cpu = new TransportCpu();
        // 1, 2, 2, 3 and 10 ns a byte; a paused step's 50 ns and a step of worker threads (no bytes) tell nothing
        for (double nanos : new double[] {2, 10, 1, 3, 2}) {
            cpu.add(step(nanos * 1e-9 * 1e6, 1_000_000, 0));
        }
        cpu.add(step(0.05, 1_000_000, 1));
        cpu.add(step(0.01, 0, 0));
        // the interquartile mean of five: the middle three, 2, 2 and 3 ns
        assertThat(cpu.secondsPerByte()).isCloseTo(7e-9 / 3, within(1e-15));
    }

    @Test
    void noBytesMovedCostsNothing() {
        TransportCpu cpu = new TransportCpu();
        assertThat(cpu.secondsPerByte()).isZero();
        cpu.add(new StepResult(0, 1.0, 0.01));
        assertThat(cpu.secondsPerByte()).isZero();
    }

    @Test
    void whenEveryStepWasPausedTheyAllCount() {
        TransportCpu cpu = new TransportCpu();
        cpu.add(step(0.004, 1_000_000, 1));
        assertThat(cpu.secondsPerByte()).isCloseTo(4e-9, within(1e-18));
    }

    private static StepResult step(double cpuSeconds, long bytes, long collections) {
        return new StepResult(0, 1.0, 0.01, CallSamples.NONE, 0, new TransportLoad(cpuSeconds, bytes), collections);
    }
}
