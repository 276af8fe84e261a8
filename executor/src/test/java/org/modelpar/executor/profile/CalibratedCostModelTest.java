package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.transport.CollectiveSamples;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.simulator.cost.OpWork;
import org.modelpar.simulator.cost.RingStep;
import org.modelpar.simulator.plan.Precision;

/**
 * Calibrated op times scale from the samples and tensor degree they were measured at, exactly at those; ring steps wait
 * what the run's own took.
 */
class CalibratedCostModelTest {
    private final OpNode op = new OpNode("op", "op", "linear", "", 0, 0, 0, 0, 0, Map.of(), Map.of());
    private final CalibratedCostModel model = new CalibratedCostModel(Map.of("op", new double[] {2e-3, 4e-3}), 8, 2, Set.of(), Map.of());

    private static OpWork work(double samples, int tensorParallel) {
        return new OpWork(samples, tensorParallel, Precision.FP32, 8, false);
    }

    @Test
    void theMeasuredSamplesAndTensorDegreeGiveTheMeasuredTime() {
        assertThat(model.forwardSeconds(op, null, work(8, 2))).isCloseTo(2e-3, offset(1e-15));
        assertThat(model.backwardSeconds(op, null, work(8, 2))).isCloseTo(4e-3, offset(1e-15));
    }

    @Test
    void otherSamplesAndDegreesScaleLinearly() {
        assertThat(model.forwardSeconds(op, null, work(4, 2))).isCloseTo(1e-3, offset(1e-15));
        assertThat(model.forwardSeconds(op, null, work(8, 4))).isCloseTo(1e-3, offset(1e-15));
        assertThat(model.backwardSeconds(op, null, work(8, 1))).isCloseTo(8e-3, offset(1e-15));
    }

    /**
     * An op the tensor rank ran whole (a replicated layer norm, an MLP's unpaired linear) took its whole time at t = 2:
     * whole again at t = 1 (not twice), split along the sequence at t = 4 (a quarter).
     */
    @Test
    void anOpTheRankRanWholeIsNotScaledByTheMeasuredDegree() {
        CalibratedCostModel whole = new CalibratedCostModel(Map.of("op", new double[] {2e-3, 4e-3}), 8, 2, Set.of("op"), Map.of());
        assertThat(whole.forwardSeconds(op, null, work(8, 1))).isCloseTo(2e-3, offset(1e-15));
        assertThat(whole.backwardSeconds(op, null, work(8, 4))).isCloseTo(1e-3, offset(1e-15));
        assertThat(model.forwardSeconds(op, null, work(8, 1))).as("an op the rank ran split").isCloseTo(4e-3, offset(1e-15));
    }

    /**
     * Ring steps take the run's step latency: 4 steps of 1,000 bytes in 4.004 ms on a link of 1 GB/s wait 1 ms each
     * beyond their bytes, so an all-reduce of 1 MB over 4 devices is 6 steps of 250 kB at 1 ms; without samples, or
     * with none taken, the link's 10 us.
     */
    @Test
    void ringStepsWaitTheLatencyTheRunsStepsTook() {
        ClusterSpec local = LocalCluster.of(4, Path.of("target", "no-modelpar-home"), ProfileLimits.DEFAULT);
        LinkProfile link = new LinkProfile(1e9, 10e-6);
        ClusterSpec cluster = new ClusterSpec("test", local.devices(), link, link);
        List<String> four = cluster.devices().stream().map(ClusterDevice::id).toList();
        CalibratedCostModel measured = model.withRingSteps(new CollectiveSamples(4, 4.004e-3, 4_000));
        RingStep steps = measured.ringStep(cluster, four, 1_000_000, 2, 1);
        assertThat(steps.steps()).isEqualTo(6);
        assertThat(steps.latencySeconds()).isCloseTo(1e-3, offset(1e-15));
        assertThat(measured.allReduceSeconds(cluster, four, 1_000_000)).isCloseTo(6 * (1e-3 + 250e-6), offset(1e-15));
        assertThat(model.ringStep(cluster, four, 1_000_000, 2, 1).latencySeconds()).isEqualTo(10e-6);
        assertThat(model.withRingSteps(CollectiveSamples.NONE).allReduceSeconds(cluster, four, 1_000_000))
                .isCloseTo(6 * (10e-6 + 250e-6), offset(1e-15));
        // a step faster than its bytes at the link's bandwidth waits nothing more
        assertThat(new CollectiveSamples(1, 1e-7, 1_000).latencySeconds(1e9)).hasValue(0.0);
    }

    @Test
    void aTensorDegreeBelowOneIsRefused() {
        assertThatThrownBy(() -> new CalibratedCostModel(Map.of(), 8, 0, Set.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor degree 0");
    }
}
