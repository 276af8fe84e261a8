package org.modelpar.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import java.util.List;
import org.modelpar.executor.transport.CallSamples;
import org.modelpar.executor.transport.CollectiveSamples;
import org.modelpar.executor.transport.TransportLoad;

class StepReportTest {
    @Test
    void aReportReadsBackWithItsBackgroundCpuTransportLoadAndCollections() {
        StepReport r = new StepReport(1, 7, 0.5, 0.025, Map.of("cpu1", 4096L), Map.of(), Map.of(), StepTrace.EMPTY,
                CallSamples.of(CallSamples.key(List.of("cpu0", "cpu1"), "tp 0"), new CollectiveSamples(3, 3e-4, 3072, 1, 1e-4, 1024))
                        .plus(CallSamples.of(CallSamples.key(List.of("cpu0", "cpu1"), "tp 1"), new CollectiveSamples(2, 2e-4, 2048))),
                0.002, new TransportLoad(0.0015, 2_621_440), 2);
        StepReport back = StepReport.decode(r.encode());
        assertThat(back.collections()).isEqualTo(2);
        assertThat(back.backgroundCpuSeconds()).isEqualTo(0.002);
        assertThat(back.transport()).isEqualTo(new TransportLoad(0.0015, 2_621_440));
        assertThat(back.ringSteps()).isEqualTo(r.ringSteps());
        assertThat(back.ringSteps().calls()).hasSize(2);
        assertThat(back.peakMemoryBytes()).isEqualTo(r.peakMemoryBytes());
        assertThat(List.of(back.rank(), back.step(), back.loss(), back.seconds())).isEqualTo(List.of(1, 7, 0.5, 0.025));
    }
}
