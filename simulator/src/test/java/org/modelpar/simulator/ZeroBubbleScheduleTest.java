package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/**
 * ZB-H1 on a uniform chain with free communication. Each stage is a matmul ({@code linear}, with parameters:
 * forward 1 s, backward 2 s, split by its FLOPs into input gradient 1 s and weight gradient 1 s) and, with
 * {@code relu}, an op without parameters (0.5 s each way, all input gradient): per micro-batch
 * {@code t_F, t_B, t_W} = 1, 1, 1 or 1.5, 1.5, 1. Qi et al. (ICLR 2024, section 3.1) give the step
 * {@code m (t_F + t_B + t_W) + (p - 1)(t_F + t_B - t_W)} for m &ge; p, the bubble
 * {@code (p - 1)(t_F + t_B - t_W)} per device. Stage i stashes p - i micro-batches whole, as 1F1B; the i whose
 * weight-gradient passes it defers keep only what those read, the matmul's input (the E bytes it receives from the
 * stage before; nothing on stage 0), and the matmul's output gradient is kept by i + 1 micro-batches at the peak (the
 * i deferred ones and the one whose input-gradient pass runs).
 */
class ZeroBubbleScheduleTest {
    private static final long ACT = 1000;

    static ComputationGraph chain(int p, boolean relu) {
        return chain(p, relu, 0);
    }

    /** The chain with {@code edgeBytes} per sample on every tensor. */
    static ComputationGraph chain(int p, boolean relu, long edgeBytes) {
        List<OpNode> ops = new ArrayList<>();
        List<TensorEdge> tensors = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            ops.add(new OpNode("fc" + i, "fc" + i, "linear", "layer" + i, 2e6, 4e6, 400, relu ? ACT / 2 : ACT, 0,
                    java.util.Map.of(Fixtures.GPU, new MeasuredTime(1.0, 2.0)), java.util.Map.of()));
            if (relu) {
                ops.add(new OpNode("relu" + i, "relu" + i, "relu", "layer" + i, 1e6, 1e6, 0, ACT / 2, 0,
                        java.util.Map.of(Fixtures.GPU, new MeasuredTime(0.5, 0.5)), java.util.Map.of()));
            }
        }
        for (int k = 1; k < ops.size(); k++) {
            tensors.add(new TensorEdge("t" + k, ops.get(k - 1).id(), ops.get(k).id(), edgeBytes));
        }
        return ComputationGraph.of("chain", 1, ops, tensors);
    }

    static PlacementPlan plan(ComputationGraph g, int p, int m, Schedule schedule) {
        int perStage = g.opCount() / p;
        List<Stage> stages = new ArrayList<>();
        for (int s = 0; s < p; s++) {
            stages.add(new Stage(s, List.of("n0g" + s),
                    g.ops().subList(s * perStage, (s + 1) * perStage).stream().map(OpNode::id).toList(), false));
        }
        return new PlacementPlan(g.name(), "", "test", "", Precision.FP32, OptimizerKind.SGD, m, 1, m, schedule, 1, stages);
    }

    /** Simulates with a free optimizer step (the chain's matmuls have parameters to split their backward). */
    static SimulationReport simulate(ComputationGraph g, ClusterSpec c, PlacementPlan plan) {
        return Simulator.simulate(g, c, plan, SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel()));
    }

    @ParameterizedTest
    @CsvSource({"1,1,false,0", "1,3,true,0", "2,2,false,300", "2,5,true,0", "3,7,false,0", "4,4,true,300", "4,8,false,0",
            "4,9,true,300", "8,16,false,300", "8,24,true,0"})
    void stepTimeBubbleAndStash(int p, int m, boolean relu, long edge) {
        ComputationGraph g = chain(p, relu, edge);
        ClusterSpec c = Fixtures.freeCluster(p);
        PlacementPlan plan = plan(g, p, m, Schedule.ZB_H1);
        double f = relu ? 1.5 : 1;
        double b = relu ? 1.5 : 1;
        double w = 1;

        SimulationReport r = simulate(g, c, plan);

        double step = m * (f + b + w) + (p - 1) * (f + b - w);
        assertThat(r.stepSeconds()).isEqualTo(step);
        assertThat(r.bubbleFraction()).isCloseTo((p - 1) * (f + b - w) / step, offset(1e-12));
        var mem = MemoryModel.perDevice(PlanValidator.validate(plan, g, c));
        for (int i = 0; i < p; i++) {
            String dev = "n0g" + i;
            assertThat(r.devices().get(dev).busyFraction() * step).isCloseTo(m * (f + b + w), offset(1e-9));
            long received = i > 0 ? edge : 0;
            long peak = (ACT + received) * (p - i) + received * i + (i + 1) * (relu ? ACT / 2 : ACT);
            assertThat(r.devices().get(dev).memory().activations()).as("stage %d", i).isEqualTo(peak);
            assertThat(mem.get(dev).activations()).isEqualTo(peak);
            assertThat(r.devices().get(dev).peakMemoryBytes()).isEqualTo(mem.get(dev).total());
        }
    }

    @Test
    void aThirdOfTheOneForwardOneBackwardBubbleWhenThePassesAreEqual() {
        int p = 4;
        int m = 8;
        ComputationGraph g = chain(p, false);
        ClusterSpec c = Fixtures.freeCluster(p);

        double oneF = simulate(g, c, plan(g, p, m, Schedule.ONE_F_ONE_B)).stepSeconds();
        double zb = simulate(g, c, plan(g, p, m, Schedule.ZB_H1)).stepSeconds();

        assertThat(oneF - 3.0 * m).isEqualTo(3 * (zb - 3.0 * m));
    }

    @Test
    void modelFlopsAreTheOneForwardOneBackwardFlops() {
        ComputationGraph g = chain(2, true);
        ClusterSpec c = Fixtures.freeCluster(2);
        SimulationReport oneF = simulate(g, c, plan(g, 2, 4, Schedule.ONE_F_ONE_B));
        SimulationReport zb = simulate(g, c, plan(g, 2, 4, Schedule.ZB_H1));

        assertThat(zb.modelTflopsPerDevice() * zb.stepSeconds()).isCloseTo(oneF.modelTflopsPerDevice() * oneF.stepSeconds(),
                offset(1e-15));
    }

    /** Stage i's last weight-gradient pass is that of micro-batch i - 1 (deferred), or m - 1 on stage 0. */
    @Test
    void anOverlappedGradientReduceStartsWithTheLastWeightGradientPass() {
        ComputationGraph g = chain(3, false);
        List<Stage> stages = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            stages.add(new Stage(s, List.of("n0g" + 2 * s, "n0g" + (2 * s + 1)), List.of("fc" + s), false));
        }
        PlacementPlan plan = new PlacementPlan(g.name(), "", "test", "", Precision.FP32, OptimizerKind.SGD, 8, 2, 4,
                Schedule.ZB_H1, 1, stages, org.modelpar.simulator.plan.PlanOptions.NONE.withOverlapGradientReduce(true));
        var program = org.modelpar.simulator.program.Lowering.lower(g, Fixtures.freeCluster(6), plan);
        for (var dp : program.programs()) {
            var list = dp.instructions();
            int at = -1;
            for (int k = 0; k < list.size(); k++) {
                if (list.get(k) instanceof org.modelpar.simulator.program.AllReduce a && a.overlapsBackward()) {
                    at = k;
                }
            }
            int last = dp.stage() == 0 ? 3 : dp.stage() - 1;
            assertThat(list.get(at + 1).name()).as(dp.device()).isEqualTo("W s" + dp.stage() + " mb" + last);
        }
    }

    @Test
    void refusesFewerMicroBatchesThanStagesAndRecomputation() {
        ComputationGraph g = chain(4, false);
        assertThatThrownBy(() -> plan(g, 4, 3, Schedule.ZB_H1)).isInstanceOf(PlanException.class)
                .hasMessage("schedule zb-h1 needs microBatches of at least the 4 pipeline stages, got 3");
        assertThatThrownBy(() -> plan(g, 4, 4, Schedule.ZB_H1).withRecomputation(Recompute.SELECTIVE))
                .isInstanceOf(PlanException.class)
                .hasMessage("schedule zb-h1 runs without recomputation; stage 0 has recompute selective");
    }
}
