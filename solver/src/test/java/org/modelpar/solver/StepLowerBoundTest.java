package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.StateBytes;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;

/** The network lower bound of a step: a closed form by hand, and never above the simulated step. */
class StepLowerBoundTest {
    private static final ComputationGraph GRAPH = ModelZoo.build("gpt2-medium");
    private static final ClusterSpec TWO_NODES = Clusters.resolve("dgx-a100:2");
    private static final CostModel COST = SimulationOptions.defaults().costModel();

    /**
     * pp=1 tp=1 dp=16 over two DGX A100 nodes, ZeRO stage 0: one ring all-reduce of the gradients over the 16 GPUs,
     * two passes of 15/16 of its bytes; the ring crosses the nodes twice, and the NIC ports are the slowest, so
     * the bound is 2 x 15/16 x gradient bytes / the inter-node bandwidth.
     */
    @Test
    void oneAllReduceOverTwoNodesByHand() {
        PlacementPlan plan = plan(1, 1, 16, Schedule.ONE_F_ONE_B);
        plan = plan.withOptions(plan.options().withZeroStage(0));
        PlanLayout layout = PlanValidator.validate(plan, GRAPH, TWO_NODES);
        double gradientBytes = (double) layout.parameterShare(0) * StateBytes.of(plan.precision(), plan.optimizer()).gradients();
        double interNode = TWO_NODES.linksOf("n0").interNode().bandwidthBytesPerSecond();
        assertThat(StepLowerBound.networkSeconds(layout, TWO_NODES, COST))
                .isCloseTo(2 * 15.0 / 16 * gradientBytes / interNode, within(1e-12));
    }

    /**
     * Every ZeRO stage, schedule and overlap setting on three shapes (and full recomputation where the schedule
     * allows it): neither bound exceeds the simulated step.
     */
    @Test
    void neverAboveTheSimulatedStep() {
        int checked = 0;
        double tightestNetwork = 0;
        double tightestPipeline = 0;
        for (Schedule schedule : new Schedule[] {Schedule.ONE_F_ONE_B, Schedule.GPIPE, Schedule.ZB_H1}) {
            for (int[] shape : new int[][] {{1, 1, 16}, {2, 1, 8}, {2, 2, 4}}) {
                PlacementPlan plan = plan(shape[0], shape[1], shape[2], schedule);
                for (int zero = 0; zero <= 3; zero++) {
                    for (boolean overlap : new boolean[] {false, true}) {
                        PlacementPlan p = plan.withOptions(plan.options().withZeroStage(zero).withOverlapGradientReduce(overlap));
                        if (zero == 1 && !schedule.splitsBackward()) {
                            p = p.withRecomputation(Recompute.FULL);
                        }
                        PlanLayout layout = PlanValidator.validate(p, GRAPH, TWO_NODES);
                        double network = StepLowerBound.networkSeconds(layout, TWO_NODES, COST);
                        double pipeline = StepLowerBound.pipelineSeconds(layout, TWO_NODES, COST);
                        double step = Simulator.simulate(GRAPH, TWO_NODES, p).stepSeconds();
                        String what = String.format("%s pp=%d tp=%d zero %d overlap %s recompute %s", p.schedule(), shape[0],
                                shape[1], zero, overlap, p.stages().get(0).recomputation());
                        assertThat(network).as("network, " + what).isLessThanOrEqualTo(step);
                        assertThat(pipeline).as("pipeline, " + what).isLessThanOrEqualTo(step);
                        tightestNetwork = Math.max(tightestNetwork, network / step);
                        tightestPipeline = Math.max(tightestPipeline, pipeline / step);
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(72);
        assertThat(tightestNetwork).as("ZeRO 3's gathers in 16 micro-batches nearly fill the step").isGreaterThan(0.5);
        assertThat(tightestPipeline).as("the compute of 16 micro-batches nearly fills the step").isGreaterThan(0.8);
    }

    /**
     * The plans the search simulates (winner and runner-ups, unpruned: uneven replicas, recompute modes per stage,
     * every schedule, the plan options) on a mixed-device cluster and two others: neither bound exceeds the step.
     */
    @Test
    void neverAboveTheStepOfAnySimulatedCandidate() {
        int checked = 0;
        for (String[] c : new String[][] {{"bert-large", "dgx-v100", "64"}, {"gpt2-medium", "mixed-a100-v100", "64"},
                {"gpt2-large", "dgx-a100:2", "128"}}) {
            ComputationGraph graph = ModelZoo.build(c[0]);
            ClusterSpec cluster = Clusters.resolve(c[1]);
            PlanResult r = new Planner(COST, false).plan(graph, cluster, PlanRequest.of(Integer.parseInt(c[2])));
            List<PlanFile> files = new ArrayList<>(r.runnerUps());
            files.add(r.best());
            for (PlanFile f : files) {
                PlanLayout layout = PlanValidator.validate(f.plan(), graph, cluster);
                double step = f.predicted().orElseThrow().stepSeconds();
                assertThat(StepLowerBound.pipelineSeconds(layout, cluster, COST)).as("%s %s", c[0], f.plan()).isLessThanOrEqualTo(step);
                assertThat(StepLowerBound.networkSeconds(layout, cluster, COST)).as("%s %s", c[0], f.plan()).isLessThanOrEqualTo(step);
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(9);
    }

    private static PlacementPlan plan(int p, int t, int d, Schedule schedule) {
        PlanRequest request = PlanRequest.of(256).withDegrees(OptionalInt.of(p), OptionalInt.of(t), OptionalInt.of(d),
                OptionalInt.of(16)).withSchedule(Optional.of(schedule));
        return new Planner().plan(GRAPH, TWO_NODES, request).best().plan();
    }
}
