package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

/**
 * Interleaved 1F1B in the planner, on a uniform chain of 16 transformer-like layers (each 1 s forward, 2 s
 * backward per sample on a V100, measured) over 4 V100s with free links: the closed form of
 * {@code InterleavedScheduleTest} (Narayanan et al., SC'21, section 2.2) is {@code (m v + p - 1)(t_f + t_b)} in
 * chunk times, a chunk here being 16 / (p v) layers.
 */
class PlanInterleavedTest {
    private static final int LAYERS = 16;
    private static final ClusterSpec CLUSTER = PipeDreamOptimalityTest.freeLinks(4);

    static ComputationGraph uniformChain(long parameterBytes, long activationBytes) {
        return uniformChain(parameterBytes, parameterBytes, activationBytes);
    }

    /** The uniform chain with {@code firstParameterBytes} in layer 0 and {@code parameterBytes} in every other. */
    static ComputationGraph uniformChain(long firstParameterBytes, long parameterBytes, long activationBytes) {
        List<OpNode> ops = new ArrayList<>();
        List<TensorEdge> tensors = new ArrayList<>();
        for (int i = 0; i < LAYERS; i++) {
            ops.add(new OpNode("layer" + i, "layer" + i, "linear", "layer" + i, 0, 0, i == 0 ? firstParameterBytes : parameterBytes,
                    activationBytes, 0,
                    Map.of("v100-sxm2-32gb", new MeasuredTime(1.0, 2.0)), Map.of()));
            if (i > 0) {
                tensors.add(new TensorEdge("t" + i, "layer" + (i - 1), "layer" + i, 4096));
            }
        }
        return ComputationGraph.of("uniform", 1, ops, tensors);
    }

    private static PlanRequest fixed(int microBatches) {
        return PlanRequest.of(microBatches).withPrecision(Precision.FP32, OptimizerKind.SGD)
                .withDegrees(OptionalInt.of(4), OptionalInt.of(1), OptionalInt.of(1), OptionalInt.of(microBatches));
    }

    @Test
    void aFixedInterleavedScheduleStepsByTheClosedFormAndFits() {
        int p = 4;
        for (int v : new int[] {2, 4}) {
            int m = 8;
            PlanRequest request = fixed(m).withSchedule(Optional.of(Schedule.INTERLEAVED), OptionalInt.of(v));
            PlanResult r = new Planner().plan(uniformChain(0, 1000), CLUSTER, request);
            PlacementPlan plan = r.best().plan();
            double chunkSeconds = (1.0 + 2.0) * LAYERS / (p * v);

            assertThat(plan.schedule()).isEqualTo(Schedule.INTERLEAVED);
            assertThat(plan.virtualStages()).isEqualTo(v);
            assertThat(plan.stages()).hasSize(p * v).allSatisfy(s -> {
                assertThat(s.ops()).hasSize(LAYERS / (p * v));
                assertThat(s.devices()).containsExactly("g" + s.index() % p);
            });
            assertThat(r.report().stepSeconds()).isEqualTo((m * v + p - 1) * chunkSeconds);
            assertThat(r.best().explanation().lines().get(0)).contains("interleaved v=" + v);
        }
    }

    /**
     * Memory per device is the sum over its chunks: 4 MB of parameters per layer with SGD (parameters and
     * gradients, 8 MB a layer) on devices that may use 40 MB: the 4 layers of a device (32 MB) fit, 5 would not.
     */
    @Test
    void theInterleavedPlanRespectsMemoryPerDevice() {
        long usable = 40_000_000L;
        long capacity = CLUSTER.devices().get(0).profile().memoryBytes();
        PlanRequest request = fixed(8).withSchedule(Optional.of(Schedule.INTERLEAVED), OptionalInt.of(2))
                .withMemoryMargin(1 - (double) usable / capacity);
        PlanResult r = new Planner().plan(uniformChain(4_000_000L, 1000), CLUSTER, request);

        assertThat(r.report().devices().values()).allSatisfy(d -> assertThat(d.peakMemoryBytes())
                .isLessThanOrEqualTo(request.usableBytes(d.capacityBytes())));
        assertThat(r.best().plan().stages()).allSatisfy(s -> assertThat(s.ops()).hasSize(2));
    }

    /**
     * A device's chunks share its memory, which need not be split evenly among them: layer 0 holds 12 MB of parameters
     * (24 MB with SGD's gradients), every other layer 2 MB (4 MB), on devices that may use 40 MB. Half a device (20 MB,
     * the chunk's share when each of v = 2 chunks got 1/v) cannot hold layer 0, so no plan fitted that way; device 0's
     * chunks 0 (layers 0 and 1, 28 MB) and 4 (layers 8 and 9, 8 MB) sum to 36 MB, which fits. The plan is the balanced
     * one, 2 layers a chunk, stepping by the closed form, and the simulator's peak of every device is within its memory.
     */
    @Test
    void chunksShareTheirDeviceByTheirRealMemory() {
        long usable = 40_000_000L;
        long capacity = CLUSTER.devices().get(0).profile().memoryBytes();
        PlanRequest request = fixed(8).withSchedule(Optional.of(Schedule.INTERLEAVED), OptionalInt.of(2))
                .withMemoryMargin(1 - (double) usable / capacity);
        PlanResult r = new Planner().plan(uniformChain(12_000_000L, 2_000_000L, 1000), CLUSTER, request);

        assertThat(r.best().plan().stages()).allSatisfy(s -> assertThat(s.ops()).hasSize(2));
        // the closed form, plus SGD's update of layer 0's 12 MB (about 0.1 ms at the V100's memory bandwidth)
        assertThat(r.report().stepSeconds()).isCloseTo((8 * 2 + 3) * 6.0, within(1e-3));
        assertThat(r.report().devices().values()).allSatisfy(d -> assertThat(d.peakMemoryBytes())
                .isLessThanOrEqualTo(request.usableBytes(d.capacityBytes())));
        assertThat(r.report().devices().get("g0").peakMemoryBytes()).as("above one chunk's even share")
                .isGreaterThan(request.usableBytes(capacity) / 2);
    }

    /** Left open, the search tries interleaving on the winner and keeps it: the bubble shrinks, the links are free. */
    @Test
    void theSearchInterleavesWhereItIsFasterAndSaysSo() {
        PlanResult r = new Planner().plan(uniformChain(0, 1000), CLUSTER,
                fixed(8).withPlanOptions(Optional.of(false), Optional.of(false)));
        PlacementPlan plan = r.best().plan();

        // estimates: v = 4 (35 chunk slots of 3 s: 105 s) beats v = 2 (19 x 6 s) and v = 3 (16 layers in 12 chunks: 27 x 6 s)
        assertThat(plan.schedule()).isEqualTo(Schedule.INTERLEAVED);
        assertThat(plan.virtualStages()).isEqualTo(4);
        assertThat(r.report().stepSeconds()).isEqualTo((8 * 4 + 3) * 3.0);
        assertThat(r.best().explanation().lines()).filteredOn(l -> l.startsWith("decided by: "))
                .singleElement().asString().isEqualTo("decided by: schedule, interleaving (model chunks per device group) (the"
                        + " closest runner-up, pp=4 tp=1 dp=1 mb=1 m=8 zb-h1, is 25.7% slower)"); // 1F1B and ZB-H1: 11 x 12 s = 132 s
        // 1F1B is not simulated: its compute with fill and drain, 8 x 12 s + 3 x 12 s, ties the ZB-H1 step
        assertThat(r.best().explanation().lines()).contains("pruned: pp=4 tp=1 dp=1 mb=1 m=8 1f1b: lower bound 132.0000 s"
                + " ≥ best 132.0000 s (its compute with the pipeline's fill and drain)");
    }

    @Test
    void fixedSchedulesAreNeverInterleavedAndLocalWorkersMayBe() {
        RuntimeCheck noZeroBubble = (s, o) -> s.splitsBackward() ? Optional.of("no split backward") : Optional.empty();
        PlanResult r = new Planner().plan(uniformChain(0, 1000), CLUSTER, fixed(8).forRuntime(noZeroBubble));
        assertThat(r.best().plan().virtualStages()).as("a runtime without ZB-H1 runs model chunks").isGreaterThan(1);
        PlanResult oneF = new Planner().plan(uniformChain(0, 1000), CLUSTER, fixed(8).withSchedule(Optional.of(Schedule.ONE_F_ONE_B)));
        assertThat(oneF.best().plan().schedule()).isEqualTo(Schedule.ONE_F_ONE_B);
        assertThat(oneF.best().plan().virtualStages()).isEqualTo(1);
        assertThatThrownBy(() -> fixed(8).withSchedule(Optional.of(Schedule.ONE_F_ONE_B), OptionalInt.of(2)))
                .isInstanceOf(PlanException.class)
                .hasMessage("--virtual-stages 2: model chunks per device group need --schedule interleaved and at least 2 chunks");
    }

    /** Megatron-LM cycles chunks in groups of p micro-batches: with m = 6 on p = 4 nothing interleaved is possible. */
    @Test
    void microBatchesNotDivisibleByTheGroupsAreRefused() {
        PlanRequest request = fixed(6).withSchedule(Optional.of(Schedule.INTERLEAVED), OptionalInt.of(2));
        assertThatThrownBy(() -> new Planner().plan(uniformChain(0, 1000), CLUSTER, request))
                .isInstanceOf(PlanException.class).hasMessage("--schedule interleaved --virtual-stages 2 cannot work on 4 devices of cluster 'free-v100-4' with global"
                        + " batch 6 and the degrees given: Megatron-LM's interleaved schedule needs p of at least 2 dividing the"
                        + " micro-batches, and p x v chunks of at least one of the graph's 16 blocks each");
    }
}
