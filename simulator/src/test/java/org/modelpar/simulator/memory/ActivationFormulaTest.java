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
