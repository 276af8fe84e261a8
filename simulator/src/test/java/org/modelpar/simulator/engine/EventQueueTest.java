package org.modelpar.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventQueueTest {
    @Test
    void popsByTimeThenInsertionOrder() {
        EventQueue q = new EventQueue();
        Random random = new Random(7);
        List<double[]> pushed = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            double t = random.nextInt(100);
            q.push(t, i);
            pushed.add(new double[] {t, i});
        }
        pushed.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        for (double[] e : pushed) {
            assertThat(q.peekTime()).isEqualTo(e[0]);
            assertThat(q.pop()).isEqualTo((long) e[1]);
        }
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void payloadEncodingRoundTrips() {
        long p = Events.encode(Events.FLOW_END, 123456, 987654321);
        assertThat(Events.type(p)).isEqualTo(Events.FLOW_END);
        assertThat(Events.version(p)).isEqualTo(123456);
        assertThat(Events.id(p)).isEqualTo(987654321);
    }
}
