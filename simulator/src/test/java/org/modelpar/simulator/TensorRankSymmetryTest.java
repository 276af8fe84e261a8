package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;

/**
 * The representative run of a symmetric plan (tensor rank 0 only) reports exactly what the run of every device
 * reports (a traced run always runs every device), and plans that are not provably symmetric run every device.
 */
class TensorRankSymmetryTest {
    private static final ComputationGraph GPT = ModelZoo.build("gpt2-small");
    private static final ComputationGraph MOE = ModelZoo.build("mixtral-8x7b");

    /** Seeded random plans with one replica per node, links slow enough that sends and collectives contend. */
    @RepeatedTest(40)
    void representativeRunEqualsFullRun(RepetitionInfo info) {
        Random random = new Random(7_000 + info.getCurrentRepetition());
        boolean moe = random.nextInt(5) == 0;
        int t = 2 << random.nextInt(2);
        int p = 1 + random.nextInt(3);
        int d = 1 + random.nextInt(3);
        Schedule schedule = Schedule.values()[random.nextInt(Schedule.values().length)];
        int v = schedule == Schedule.INTERLEAVED ? 2 : 1;
        if (schedule == Schedule.INTERLEAVED && p == 1) {
            p = 2;
        }
        int m = p * (1 + random.nextInt(3));
        Recompute recompute = schedule == Schedule.ZB_H1 ? Recompute.NONE
                : Recompute.values()[random.nextInt(Recompute.values().length)];
        int expert = moe && d > 1 && random.nextBoolean() ? d : 1;
        PlanOptions options = new PlanOptions(random.nextBoolean(), random.nextBoolean(), random.nextBoolean(),
                expert > 1 ? 0 : random.nextInt(4), expert);
        double bandwidth = 1e9 * (1 + random.nextInt(100));
        ClusterSpec cluster = Fixtures.cluster(p * d, t, new LinkProfile(4 * bandwidth, 2e-6),
                new LinkProfile(bandwidth, 1e-5), random.nextBoolean() ? 1L << 40 : 16L << 30);
        ComputationGraph graph = moe ? MOE : GPT;
        ParallelConfig config = new ParallelConfig(p, t, d, m, 1 + random.nextInt(2), schedule, recompute,
                Precision.BF16, OptimizerKind.ADAM, v);
        PlacementPlan plan = StageBalancer.plan(graph, cluster, config, new RooflineCostModel()).withOptions(options);

        PlanLayout layout = PlanValidator.validate(plan, graph, cluster);
        assertThat(TensorRankSymmetry.of(layout, cluster, new RooflineCostModel())).isPresent();
        SimulationReport report = Simulator.simulate(graph, cluster, plan);
        assertSameReport(report, full(graph, cluster, plan));
        // and the engine's peaks are the analytical memory model's (the solver's constraint), ZeRO-3 units included
        MemoryModel.perDevice(layout).forEach((id, model) -> assertThat(report.devices().get(id).memory()).as(id).isEqualTo(model));
    }

    @Test
    void twoReplicasOnOneNodeRunEveryDevice() {
        ClusterSpec cluster = Fixtures.cluster(2, 4, new LinkProfile(4e10, 2e-6), new LinkProfile(1e10, 1e-5));
        assertFullRun(GPT, cluster, plan(cluster, 2, 2, 2));
    }

    @Test
    void oneTensorRankRunsEveryDevice() {
        ClusterSpec cluster = Fixtures.cluster(4, 1, new LinkProfile(4e10, 2e-6), new LinkProfile(1e10, 1e-5));
        assertFullRun(GPT, cluster, plan(cluster, 2, 1, 2));
    }

    @Test
    void aReplicaOfMixedDevicesRunsEveryDevice() {
        ClusterSpec uniform = Fixtures.cluster(4, 2, new LinkProfile(4e10, 2e-6), new LinkProfile(1e10, 1e-5));
        List<ClusterDevice> devices = new ArrayList<>(uniform.devices());
        ClusterDevice last = devices.get(devices.size() - 1);
        devices.set(devices.size() - 1, new ClusterDevice(last.id(), last.node(), Fixtures.device(8L << 30)));
        ClusterSpec mixed = new ClusterSpec("mixed", devices, uniform.intraNode(), uniform.interNode());
        assertFullRun(GPT, mixed, plan(mixed, 2, 2, 2));
    }

    @Test
    void sharedHostNodesRunEveryDevice() {
        ClusterSpec cluster = Fixtures.cluster(4, 2, new LinkProfile(4e10, 2e-6), new LinkProfile(1e10, 1e-5))
                .withComputeCapacity(Map.of("n0", 1.5));
        assertFullRun(GPT, cluster, plan(cluster, 2, 2, 2));
    }

    private static PlacementPlan plan(ClusterSpec cluster, int p, int t, int d) {
        return StageBalancer.plan(GPT, cluster, new ParallelConfig(p, t, d, 4, 1, Schedule.ONE_F_ONE_B, Recompute.NONE,
                Precision.BF16, OptimizerKind.ADAM), new RooflineCostModel());
    }

    private static void assertFullRun(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan) {
        PlanLayout layout = PlanValidator.validate(plan, graph, cluster);
        assertThat(TensorRankSymmetry.of(layout, cluster, new RooflineCostModel())).isEmpty();
        SimulationReport report = Simulator.simulate(graph, cluster, plan);
        SimulationReport full = full(graph, cluster, plan);
        assertSameReport(report, full);
        assertThat(report.events()).isEqualTo(full.events());
    }

    private static SimulationReport full(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan) {
        return Simulator.simulate(graph, cluster, plan, SimulationOptions.defaults().withTrace(true));
    }

    /** Everything but the event count and the devices the critical path passes (ties between equal ranks). */
    private static void assertSameReport(SimulationReport a, SimulationReport b) {
        assertThat(a.stepSeconds()).isEqualTo(b.stepSeconds());
        assertThat(a.samplesPerSecond()).isEqualTo(b.samplesPerSecond());
        assertThat(a.tflopsPerDevice()).isEqualTo(b.tflopsPerDevice());
        assertThat(a.modelTflopsPerDevice()).isEqualTo(b.modelTflopsPerDevice());
        assertThat(a.bubbleFraction()).isEqualTo(b.bubbleFraction());
        assertThat(a.exposedCommunicationFraction()).isEqualTo(b.exposedCommunicationFraction());
        assertThat(a.devices()).containsExactlyEntriesOf(b.devices());
        assertThat(a.outOfMemory()).isEqualTo(b.outOfMemory());
        assertThat(a.criticalPath()).extracting(SimulationReport.CriticalStep::instruction,
                        SimulationReport.CriticalStep::startSeconds, SimulationReport.CriticalStep::endSeconds)
                .isEqualTo(b.criticalPath().stream().map(s -> org.assertj.core.groups.Tuple.tuple(s.instruction(),
                        s.startSeconds(), s.endSeconds())).toList());
    }
}
