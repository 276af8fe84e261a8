package org.modelpar.executor.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A step's collective calls, each on its slowest member, by hand. */
class CallSamplesTest {
    private static final List<String> RING = List.of("cpu0", "cpu1");

    /**
     * Two members take turns at arriving last: each member's own calls took 3 ms and 4 ms, the calls' slowest members
     * 3 + 2 = 5 ms: the critical path runs through both.
     */
    @Test
    void eachCallKeepsItsSlowestMember() {
        CallSamples cpu0 = CallSamples.of(CallSamples.key(RING, "tp 0"), new CollectiveSamples(2, 0.003, 200))
                .plus(CallSamples.of(CallSamples.key(RING, "tp 1"), new CollectiveSamples(2, 0.001, 200)));
        CallSamples cpu1 = CallSamples.of(CallSamples.key(RING, "tp 0"), new CollectiveSamples(2, 0.002, 200, 1, 0.001, 100))
                .plus(CallSamples.of(CallSamples.key(RING, "tp 1"), new CollectiveSamples(2, 0.002, 200, 1, 0.001, 100)));
        CallSamples both = cpu0.plus(cpu1);
        assertThat(both.critical()).isEqualTo(new CollectiveSamples(4, 0.005, 400, 1, 0.001, 100));
        assertThat(cpu1.plus(cpu0)).isEqualTo(both);
        assertThat(both.plus(CallSamples.NONE)).isEqualTo(both);
        assertThat(CallSamples.NONE.critical()).isEqualTo(CollectiveSamples.NONE);
    }

    /** Calls of the same id over other rings are other calls (each tensor group counts its calls from 0). */
    @Test
    void theSameIdOverAnotherRingIsAnotherCall() {
        CallSamples s0 = CallSamples.of(CallSamples.key(RING, "tp 0"), new CollectiveSamples(1, 0.001, 8));
        CallSamples s1 = CallSamples.of(CallSamples.key(List.of("cpu2", "cpu3"), "tp 0"), new CollectiveSamples(1, 0.002, 8));
        assertThat(s0.plus(s1).critical()).isEqualTo(new CollectiveSamples(2, 0.003, 16));
    }

    @Test
    void callsReadBackAsWritten() throws IOException {
        CallSamples calls = CallSamples.of(CallSamples.key(RING, "tp 0"), new CollectiveSamples(3, 3e-4, 3072, 1, 1e-4, 1024))
                .plus(CallSamples.of(CallSamples.key(RING, "dp s0"), new CollectiveSamples(1, 1e-4, 64)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        calls.write(new DataOutputStream(bytes));
        assertThat(CallSamples.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())))).isEqualTo(calls);
    }

    /** A hostile count is refused before anything is read or allocated for it. */
    @Test
    void aCountTheBytesCannotHoldIsRefused() {
        byte[] bytes = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0};
        assertThatThrownBy(() -> CallSamples.read(new DataInputStream(new ByteArrayInputStream(bytes))))
                .isInstanceOf(IOException.class).hasMessage("2147483647 collective calls in 2 bytes");
    }
}
