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
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.EfficiencyCurve;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.simulator.cost.HostWork;
import org.modelpar.simulator.cost.OpWork;
import org.modelpar.simulator.cost.RingStep;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Precision;

/**
 * Calibrated op times scale from the samples and tensor degree they were measured at, exactly at those; ring steps wait
 * what the run's own took.
 */
class CalibratedCostModelTest {
    private final OpNode op = new OpNode("op", "op", "linear", "", 0, 0, 0, 0, 0, Map.of(), Map.of());
    private final CalibratedCostModel model = new CalibratedCostModel(Map.of("op", new double[] {2e-3, 4e-3}), 8, 2, Set.of(), List.of());

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
        CalibratedCostModel whole = new CalibratedCostModel(Map.of("op", new double[] {2e-3, 4e-3}), 8, 2, Set.of("op"), List.of());
        assertThat(whole.forwardSeconds(op, null, work(8, 1))).isCloseTo(2e-3, offset(1e-15));
        assertThat(whole.backwardSeconds(op, null, work(8, 4))).isCloseTo(1e-3, offset(1e-15));
        assertThat(model.forwardSeconds(op, null, work(8, 1))).as("an op the rank ran split").isCloseTo(4e-3, offset(1e-15));
    }

    /**
     * Ring steps take the run's step latency: 4 steps of 1,000 bytes in 4.004 ms on a link of 1 GB/s wait 1 ms each
     * beyond their bytes, so an all-reduce of 1 MB over 4 devices is 6 steps of 250 kB at 1 ms; without samples, or
     * with none taken, the link's 10 us, and then the mean wake of the group's members that have one.
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
        // without samples a step also waits the mean wake of the members that have one; with samples, what they took
        Map<String, Double> wake = Map.of(four.get(0), 1e-3, four.get(1), 3e-3, "elsewhere", 1.0);
        assertThat(model.withWakeSeconds(wake).ringStep(cluster, four, 1_000_000, 2, 1).latencySeconds())
                .isCloseTo(10e-6 + 2e-3, offset(1e-15));
        assertThat(measured.withWakeSeconds(wake).ringStep(cluster, four, 1_000_000, 2, 1).latencySeconds())
                .isCloseTo(1e-3, offset(1e-15));
        assertThat(model.withWakeSeconds(wake).ringStep(cluster, four.subList(0, 1), 1_000_000, 2, 1)).isEqualTo(RingStep.NONE);
        // the ring steps' own wakes, where they have some, before the members': 2 wakes of 1,000 bytes in 1.002 ms in all
        // at 1 GB/s wake 0.5 ms each beyond their bytes
        CollectiveSamples wakes = new CollectiveSamples(0, 0, 0, 2, 1.002e-3, 2_000);
        assertThat(wakes.wakeSeconds(1e9)).hasValue(0.5e-3);
        assertThat(model.withWakeSeconds(wake).withRingSteps(wakes).ringStep(cluster, four, 1_000_000, 2, 1).latencySeconds())
                .isCloseTo(10e-6 + 0.5e-3, offset(1e-15));
    }

    /**
     * A stage of 1,000 parameters in 10 tensors stepped in 3 ms, cut to 500 in 2 ms: 2 us a parameter, 1 ms for its
     * tensors. A device holding all of it takes its 3 ms; a tensor-parallel rank holding half of each tensor pays every
     * tensor and half the parameters (2 ms); with two stages, a share of neither is priced at their costs together.
     */
    @Test
    void aShareOfAStagesParametersPaysEveryTensorAndItsShareOfTheParameters() {
        CalibratedCostModel one = new CalibratedCostModel(Map.of(), 8, 1, Set.of(),
                List.of(new CalibratedCostModel.StageOptimizer(1_000, 10, 3e-3, 500, 2e-3)));
        assertThat(one.optimizerSeconds(null, 1_000, 10, Precision.FP32, OptimizerKind.ADAM)).isCloseTo(3e-3, offset(1e-15));
        assertThat(one.optimizerSeconds(null, 500, 10, Precision.FP32, OptimizerKind.ADAM)).isCloseTo(2e-3, offset(1e-15));
        assertThat(one.optimizerSeconds(null, 1_000, 11, Precision.FP32, OptimizerKind.ADAM)).as("a tied weight's copy: one tensor more")
                .isCloseTo(3.1e-3, offset(1e-15));
        // a second stage of 3,000 parameters in 30 tensors, 1,500 in 7.5 ms: 1 us a parameter, 6 ms for its tensors
        CalibratedCostModel two = new CalibratedCostModel(Map.of(), 8, 1, Set.of(), List.of(
                new CalibratedCostModel.StageOptimizer(1_000, 10, 3e-3, 500, 2e-3),
                new CalibratedCostModel.StageOptimizer(3_000, 30, 9e-3, 1_500, 7.5e-3)));
        assertThat(two.optimizerSeconds(null, 3_000, 30, Precision.FP32, OptimizerKind.ADAM)).isCloseTo(9e-3, offset(1e-15));
        // 7 ms over 40 tensors, 5 ms over 4,000 parameters: 30 x 7 / 40 + 1,500 x 5 / 4,000 ms
        assertThat(two.optimizerSeconds(null, 1_500, 30, Precision.FP32, OptimizerKind.ADAM)).isCloseTo(7.125e-3, offset(1e-15));
        // without a tensor count: the stage's own, else 40 tensors over 4,000 parameters (15 for 1,500)
        assertThat(two.optimizerSeconds(null, 1_000, Precision.FP32, OptimizerKind.ADAM)).isCloseTo(3e-3, offset(1e-15));
        assertThat(two.optimizerSeconds(null, 1_500, Precision.FP32, OptimizerKind.ADAM)).isCloseTo(15 * 7.0 / 40 * 1e-3 + 1.875e-3, offset(1e-15));
        // halves timed slower than the whole (noise): no cost per parameter, all of it the tensors'
        CalibratedCostModel noisy = new CalibratedCostModel(Map.of(), 8, 1, Set.of(),
                List.of(new CalibratedCostModel.StageOptimizer(1_000, 10, 3e-3, 500, 3.1e-3)));
        assertThat(noisy.optimizerSeconds(null, 500, 10, Precision.FP32, OptimizerKind.ADAM)).isCloseTo(3e-3, offset(1e-15));
        assertThatThrownBy(() -> new CalibratedCostModel.StageOptimizer(1, -1, 0, 0, 0)).hasMessageContaining("-1 tensors");
        assertThatThrownBy(() -> new CalibratedCostModel.StageOptimizer(1, 1, 0, 2, 0)).hasMessageContaining("2 at");
    }

    /**
     * Host work is priced at the calibrated rate (4 calls x 5 us, 6,500 bytes x 2 ns), the device's kernel launch
     * (20 us) and element-wise bandwidth (6,500 bytes at 0.5 x 1 GB/s) where none was timed.
     */
    @Test
    void hostWorkPaysTheCalibratedRate() {
        DeviceProfile cpu = new DeviceProfile("cpu", Map.of("fp32", 1e11), 1L << 30, 1e9, EfficiencyCurve.constant(1),
                EfficiencyCurve.constant(0.5), 2e-5, "test");
        HostWork work = new HostWork(6500, 4);
        assertThat(model.withHostRate(new CalibratedCostModel.HostRate(5e-6, 2e-9)).hostSeconds(cpu, work))
                .isCloseTo(2e-5 + 1.3e-5, offset(1e-15));
        assertThat(model.hostSeconds(cpu, work)).isCloseTo(8e-5 + 1.3e-5, offset(1e-15));
        assertThatThrownBy(() -> new CalibratedCostModel.HostRate(-1e-6, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1.0E-6 s a call");
    }

    /** Each device begins the step when the run's did; a device not given, and the model without a run, at once. */
    @Test
    void devicesBeginTheStepWhenTheRunsDid() {
        CalibratedCostModel started = model.withStartSeconds(Map.of("cpu1", 1.5e-3));
        assertThat(started.startSeconds(null, "cpu1")).isEqualTo(1.5e-3);
        assertThat(started.startSeconds(null, "cpu0")).isZero();
        assertThat(model.startSeconds(null, "cpu1")).isZero();
        assertThat(started.withWakeSeconds(Map.of()).startSeconds(null, "cpu1")).as("kept by the other run times").isEqualTo(1.5e-3);
        assertThatThrownBy(() -> model.withStartSeconds(Map.of("cpu0", -1.0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("start seconds {cpu0=-1.0}");
    }

    /**
     * A backward timed split gives its weight-gradient part as timed (1 ms of 4, scaled as the op); one timed whole, its
     * FLOP share (a linear layer's forward FLOPs of its backward's: 20 of 40 here).
     */
    @Test
    void theWeightGradientIsTheTimedPartElseItsFlopShare() {
        OpNode linear = new OpNode("op", "op", "linear", "", 20, 40, 100, 0, 0, Map.of(), Map.of());
        CalibratedCostModel split = new CalibratedCostModel(Map.of("op", new double[] {2e-3, 4e-3, 1e-3}), 8, 2, Set.of(), List.of());
        assertThat(split.weightGradientSeconds(linear, null, work(8, 2))).isCloseTo(1e-3, offset(1e-15));
        assertThat(split.weightGradientSeconds(linear, null, work(4, 2))).isCloseTo(0.5e-3, offset(1e-15));
        assertThat(model.weightGradientSeconds(linear, null, work(8, 2))).isCloseTo(2e-3, offset(1e-15));
    }

    @Test
    void aTensorDegreeBelowOneIsRefused() {
        assertThatThrownBy(() -> new CalibratedCostModel(Map.of(), 8, 0, Set.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor degree 0");
    }
}
