package org.modelpar.simulator.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/** What the executor holds beyond the stashes: the tied embedding copy, model inputs, message buffers. */
class MemoryGapsTest {
    private static final String GPT = "gpt:layers=2,hidden=32,heads=2,seq=16,vocab=64";

    /** The graph's ops cut at {@code cut} (topological order) into one or two single-device stages, fp32 Adam. */
    private static PlacementPlan plan(ComputationGraph g, ClusterSpec c, int cut, Schedule schedule, int microBatches) {
        List<OpNode> order = g.topologicalOrder();
        List<Stage> stages = new ArrayList<>();
        if (cut == 0) {
            stages.add(new Stage(0, List.of("n0g0"), order.stream().map(OpNode::id).toList(), false));
        } else {
            stages.add(new Stage(0, List.of("n0g0"), order.subList(0, cut).stream().map(OpNode::id).toList(), false));
            stages.add(new Stage(1, List.of("n0g1"), order.subList(cut, order.size()).stream().map(OpNode::id).toList(), false));
        }
        return new PlacementPlan(g.name(), "", c.name(), "", Precision.FP32, OptimizerKind.ADAM, 4 * microBatches, 4,
                microBatches, schedule, 1, stages);
    }

    @Test
    void logitsStageKeepsACopyOfTheWordTableWhenTheEmbeddingIsElsewhere() {
        ComputationGraph g = ModelZoo.build(GPT);
        ClusterSpec c = Fixtures.freeCluster(2);
        int cut = g.topologicalOrder().size() / 2;
        var split = MemoryModel.perDevice(g, c, plan(g, c, cut, Schedule.ONE_F_ONE_B, 2));
        long ownParameters = g.topologicalOrder().subList(cut, g.topologicalOrder().size()).stream()
                .mapToLong(OpNode::parameterCount).sum();
        long copy = 64 * 32;
        assertThat(split.get("n0g1").parameters()).isEqualTo(4 * (ownParameters + copy));
        assertThat(split.get("n0g1").gradients()).isEqualTo(4 * (ownParameters + copy));
        assertThat(split.get("n0g1").optimizer()).isEqualTo(8 * (ownParameters + copy));
        // on one stage the word table is held once
        var single = MemoryModel.perDevice(g, c, plan(g, c, 0, Schedule.GPIPE, 2));
        assertThat(single.get("n0g0").parameters()).isEqualTo(g.parameterBytes());
    }

    @Test
    void firstLinearStashesTheInputFeaturesAndTheEmbeddingItsTokenIds() {
        ComputationGraph mlp = ModelZoo.build("mlp:layers=3,width=32");
        ClusterSpec c = Fixtures.freeCluster(1);
        MemoryBreakdown m = MemoryModel.perDevice(mlp, c, plan(mlp, c, 0, Schedule.GPIPE, 2)).get("n0g0");
        // 2 micro-batches x 4 samples x (op activations + 32 input features x 4 bytes)
        assertThat(m.activations()).isEqualTo(2 * 4 * (mlp.activationBytesPerSample() + 32 * 4));
        assertThat(m.messages()).isZero();
        ComputationGraph gpt = ModelZoo.build(GPT);
        MemoryBreakdown t = MemoryModel.perDevice(gpt, c, plan(gpt, c, 0, Schedule.GPIPE, 2)).get("n0g0");
        // fp32 (e = 4), s = 16, h = 32, a = 2, V = 64, per sample: 2 layers x (66 s h + 9 a s^2) (Korthikanti's
        // 34 s h + 5 a s^2 with 4-byte values and 1-byte masks), the embedding's mask s h and 16 token ids x 4,
        // the head's final LayerNorm and logits inputs 2 x 4 s h and fp32 logits 4 s V; beyond the paper, the five
        // LayerNorms' fp32 mean and 1/std (8 s each) and the int64 labels (8 s)
        long sh = 16 * 32;
        long perSample = 2 * (66 * sh + 9 * 2 * 16 * 16) + sh + 16 * 4 + 8 * sh + 4 * 16 * 64 + 5 * 8 * 16 + 8 * 16;
        assertThat(t.activations()).isEqualTo(2 * 4 * perSample);
    }

    @Test
    void messageBuffersAreBoundedByTheMicroBatchesInFlightPlusOne() {
        ComputationGraph g = Fixtures.chain(2, 1, 2, 1000, 0, 100);
        ClusterSpec c = Fixtures.freeCluster(2);
        for (Schedule s : List.of(Schedule.GPIPE, Schedule.ONE_F_ONE_B, Schedule.ZB_H1)) {
            PlacementPlan plan = Fixtures.plan(g, c, Fixtures.oneDeviceEach(2), 2, 8, s, 1, false, Precision.FP32,
                    OptimizerKind.SGD);
            var m = MemoryModel.perDevice(g, c, plan);
            long inFlight = s == Schedule.GPIPE ? 8 : 2;
            // (in + out) = 100 bytes per sample x 2 samples, for in-flight + 1 micro-batches
            assertThat(m.get("n0g0").messages()).as(s.name()).isEqualTo((inFlight + 1) * 200);
            assertThat(m.get("n0g1").messages()).as(s.name()).isEqualTo((inFlight + 1) * 200);
        }
    }
}
