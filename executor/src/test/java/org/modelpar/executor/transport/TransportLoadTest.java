package org.modelpar.executor.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class TransportLoadTest {
    @Test
    void loadsAddUpAndAStepsLoadIsTheDifferenceOfTwoReadings() {
        TransportLoad first = new TransportLoad(0.002, 1_000_000);
        assertThat(first.plus(new TransportLoad(0.001, 500_000))).isEqualTo(new TransportLoad(0.003, 1_500_000));
        assertThat(new TransportLoad(0.005, 3_000_000).since(first)).isEqualTo(new TransportLoad(0.003, 2_000_000));
        // a reading that went back (the thread's CPU time read apart) counts as none
        assertThat(new TransportLoad(0.001, 1_000_000).since(first)).isEqualTo(new TransportLoad(0, 0));
        assertThat(first.plus(TransportLoad.NONE)).isEqualTo(first);
    }

    @Test
    void aLoadReadsBackAsWritten() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TransportLoad(0.0015, 2_621_440).write(new DataOutputStream(bytes));
        assertThat(TransportLoad.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                .isEqualTo(new TransportLoad(0.0015, 2_621_440));
    }

    @Test
    void negativeOrNonFiniteNumbersAreRefused() {
        assertThatThrownBy(() -> new TransportLoad(-1e-3, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a transport's load needs CPU seconds >= 0 and bytes >= 0, got -0.001 s and 10 bytes");
        assertThatThrownBy(() -> new TransportLoad(Double.NaN, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransportLoad(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
