package org.modelpar.simulator.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.Fixtures;

/** Ring collectives priced by their steps: closed forms on 2 and 4 devices, 1 GB/s and 10 us a step. */
class RingStepTest {
    private static final double BW = 1e9;
    private static final double LATENCY = 10e-6;
    private final ClusterSpec cluster = Fixtures.cluster(1, 4, new LinkProfile(BW, LATENCY), new LinkProfile(BW, LATENCY));
    private final CostModel cost = new RooflineCostModel();
    private final List<String> two = List.of("n0g0", "n0g1");
    private final List<String> four = List.of("n0g0", "n0g1", "n0g2", "n0g3");

    @Test
    void allReduceOnTwoIsTwoStepsOfHalfTheBytes() {
        RingStep steps = cost.ringStep(cluster, two, 1_000_000, 2, 1);
        assertThat(steps.steps()).isEqualTo(2);
        assertThat(steps.bytesPerStep()).isEqualTo(500_000);
        assertThat(steps.seconds()).isCloseTo(2 * (10e-6 + 500e-6), offset(1e-15));
        assertThat(cost.allReduceSeconds(cluster, two, 1_000_000)).isCloseTo(1.02e-3, offset(1e-15));
    }

    @Test
    void allReduceOnFourIsSixStepsOfAQuarter() {
        RingStep steps = cost.ringStep(cluster, four, 1_000_000, 2, 1);
        assertThat(steps.steps()).isEqualTo(6);
        assertThat(steps.bytesPerStep()).isEqualTo(250_000);
        assertThat(steps.latencyTotalSeconds()).isCloseTo(60e-6, offset(1e-15));
        assertThat(steps.bytesMoved()).isEqualTo(1_500_000);
        assertThat(cost.allReduceSeconds(cluster, four, 1_000_000)).isCloseTo(6 * (10e-6 + 250e-6), offset(1e-15));
        // one pass: a reduce-scatter or an all-gather of the gathered size
        assertThat(cost.reduceScatterSeconds(cluster, four, 1_000_000)).isCloseTo(3 * (10e-6 + 250e-6), offset(1e-15));
        assertThat(cost.allGatherSeconds(cluster, four, 1_000_000)).isCloseTo(3 * (10e-6 + 250e-6), offset(1e-15));
    }

    @Test
    void severalCollectivesPayEveryStepsLatencyAndTheirBytesOnce() {
        // 3 all-reduces of 1 MB in all on 4: 18 steps of 1 MB / 12, 1.5 MB through each member's links
        RingStep steps = cost.ringStep(cluster, four, 1_000_000, 2, 3);
        assertThat(steps.steps()).isEqualTo(18);
        assertThat(steps.seconds()).isCloseTo(18 * 10e-6 + 1.5e6 / BW, offset(1e-15));
        assertThat(new TensorTraffic(3, 1_000_000).seconds(cost, cluster, four)).isEqualTo(steps.seconds());
        assertThat(new ExpertTraffic(3, 1_000_000).seconds(cost, cluster, two)).isCloseTo(3 * 10e-6 + 0.5e6 / BW, offset(1e-15));
    }

    @Test
    void aGroupOfOneHasNoSteps() {
        assertThat(cost.ringStep(cluster, List.of("n0g0"), 1_000_000, 2, 1)).isEqualTo(RingStep.NONE);
        assertThat(cost.allReduceSeconds(cluster, List.of("n0g0"), 1_000_000)).isZero();
        assertThatThrownBy(() -> new RingStep(-1, 1, 0, 1)).hasMessageContaining("-1.0 bytes");
    }
}
