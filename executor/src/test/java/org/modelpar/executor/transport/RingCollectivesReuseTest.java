package org.modelpar.executor.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Ring collectives allocate nothing in steady state: an all-reduce's flat buffer is reused. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingCollectivesReuseTest {
    /** Steady all-reduces of the same tensors allocate their flat buffer once (two processes' worth of transports). */
    @Test
    void allReducesReuseTheirFlatBuffer() throws Exception {
        Waits waits = Waits.timeout(TimeUnit.SECONDS.toNanos(10));
        List<String> ring = List.of("d0", "d1");
        try (GrpcTransport a = new GrpcTransport("127.0.0.1", 0, Map.of("d0", 4), waits);
             GrpcTransport b = new GrpcTransport("127.0.0.1", 0, Map.of("d1", 4), waits)) {
            Map<String, String> addresses = Map.of("d0", "127.0.0.1:" + a.port(), "d1", "127.0.0.1:" + b.port());
            a.connect(addresses);
            b.connect(addresses);
            List<RingCollectives> members = List.of(new RingCollectives(a), new RingCollectives(b));
            List<CompletableFuture<float[]>> sums = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                sums.add(CompletableFuture.supplyAsync(() -> {
                    INDArray w = Nd4j.createFromArray(1f, 2f, 3f).mul(rank + 1);
                    INDArray bias = Nd4j.createFromArray(10f * (rank + 1));
                    try {
                        for (int step = 0; step < 3; step++) {
                            members.get(rank).allReduce("step " + step, ring.get(rank), ring, Map.of("w", w, "b", bias), waits);
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return new float[] {w.getFloat(0), w.getFloat(2), bias.getFloat(0)};
                }));
            }
            for (CompletableFuture<float[]> s : sums) {
                // the first step sums the ranks (1 + 2 times the values), each later one doubles: 12 times after three
                assertThat(s.get(30, TimeUnit.SECONDS)).containsExactly(12f, 36f, 120f);
            }
            assertThat(members).allSatisfy(m -> assertThat(m.flatAllocations()).isEqualTo(1));
        }
    }
}
