package org.modelpar.simulator.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/**
 * Issue 14 item 1: the activations the memory model derives op by op from GPT preset graphs equal Korthikanti
 * et al.'s formulas exactly, for every tensor degree x sequence parallelism x recompute mode, with dropout (the paper's
 * case) and without.
 */
class ActivationFormulaTest {
    /** preset, layers, hidden, heads, seq, vocab. */
    private static final Object[][] PRESETS = {
        {"gpt-tiny", 4, 64, 4, 32, 64},
        {"gpt2-medium", 24, 1024, 16, 1024, 50257},
        {"megatron-1.7b", 24, 2304, 24, 2048, 51200},
        {"gpt3-175b", 96, 12288, 96, 2048, 51200},
    };

    static Stream<Arguments> combinations() {
        List<Arguments> out = new ArrayList<>();
        for (Object[] p : PRESETS) {
            for (int t : new int[] {1, 2, 4, 8}) {
                for (boolean sp : new boolean[] {false, true}) {
                    for (Recompute mode : Recompute.values()) {
                        for (boolean dropout : new boolean[] {true, false}) {
                            if (!sp || t > 1) {
                                out.add(Arguments.of(p[0], p[1], p[2], p[3], p[4], p[5], t, sp, mode, dropout));
                            }
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} t={6} sp={7} {8} dropout={9}")
    @MethodSource("combinations")
    void oneStageStashesTheFormulaBytes(String preset, int layers, long h, long a, long s, long vocab, int t,
                                        boolean sp, Recompute mode, boolean dropout) {
        ComputationGraph g = ModelZoo.build(preset).withDropout(dropout);
        long b = 8;
        StageMemory m = MemoryModel.stage(layout(g, t, sp, mode, b), 0);
        KorthikantiFormulas k = new KorthikantiFormulas(s, h, a, vocab, b, t, sp, dropout);
        assertThat(m.stashBytesPerMicroBatch()).isEqualTo(k.embedding() + layers * k.layer(mode) + k.head());
        assertThat(m.recomputeBytes()).isEqualTo(k.recomputed(mode));
    }

    /**
     * A cut inside a layer (after block1's first norm) hands stage 1 two tensors: the norm's output, which the QKV
     * linear stashes, and the residual stream, which only the residual add reads. The pipeline keeps both until the
     * backward, so stage 1 stashes what it stashes when cut at the layer boundary, less the norm's own statistics (the
     * norm ran on stage 0); under full recomputation the layer's checkpoint holds the norm's output besides the residual.
     */
    @ParameterizedTest(name = "t={0} sp={1} {2}")
    @MethodSource("cuts")
    void aCutInsideALayerKeepsTheReceivedResidual(int t, boolean sp, Recompute mode) {
        ComputationGraph g = ModelZoo.build("gpt-tiny");
        long b = 8;
        long s = 32;
        long h = 64;
        long perRank = sp ? t : 1;
        long inside = MemoryModel.stage(twoStages(g, "block1.qkv", t, sp, mode, b), 1).stashBytesPerMicroBatch();
        long boundary = MemoryModel.stage(twoStages(g, "block1.ln1", t, sp, mode, b), 1).stashBytesPerMicroBatch();
        long expected = mode == Recompute.FULL ? boundary + 2 * s * h * b / perRank : boundary - 8 * s * b / perRank;
        assertThat(inside).isEqualTo(expected);
    }

    static Stream<Arguments> cuts() {
        List<Arguments> out = new ArrayList<>();
        for (int t : new int[] {1, 2}) {
            for (boolean sp : new boolean[] {false, true}) {
                for (Recompute mode : Recompute.values()) {
                    if (!sp || t > 1) {
                        out.add(Arguments.of(t, sp, mode));
                    }
                }
            }
        }
        return out.stream();
    }

    /** Two stages of {@code g} over t devices each, the second starting at op {@code firstOfStage1}. */
    private static PlanLayout twoStages(ComputationGraph g, String firstOfStage1, int t, boolean sp, Recompute mode,
                                        long samples) {
        ClusterSpec c = Fixtures.freeCluster(2 * t);
        List<String> ops = g.topologicalOrder().stream().map(OpNode::id).toList();
        int cut = ops.indexOf(firstOfStage1);
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<String> devices = new ArrayList<>();
            for (int k = 0; k < t; k++) {
                devices.add("n0g" + (i * t + k));
            }
            stages.add(new Stage(i, devices, i == 0 ? ops.subList(0, cut) : ops.subList(cut, ops.size()), mode));
        }
        PlacementPlan plan = new PlacementPlan(g.name(), "", c.name(), "", Precision.FP16, OptimizerKind.ADAM,
                (int) samples, (int) samples, 1, Schedule.ONE_F_ONE_B, t, stages, PlanOptions.NONE.withSequenceParallel(sp));
        return PlanValidator.validate(plan, g, c);
    }

    static PlanLayout layout(ComputationGraph g, int t, boolean sp, Recompute mode, long samples) {
        ClusterSpec c = Fixtures.freeCluster(t);
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            devices.add("n0g" + i);
        }
        List<String> ops = g.topologicalOrder().stream().map(OpNode::id).toList();
        PlacementPlan plan = new PlacementPlan(g.name(), "", c.name(), "", Precision.FP16, OptimizerKind.ADAM,
                (int) samples, (int) samples, 1, Schedule.ONE_F_ONE_B, t, List.of(new Stage(0, devices, ops, mode)),
                PlanOptions.NONE.withSequenceParallel(sp));
        return PlanValidator.validate(plan, g, c);
    }
}
