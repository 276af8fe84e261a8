package org.modelpar.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.Fixtures;

/**
 * What every tensor rank holds whole, as Megatron-LM keeps it ({@link TensorSplit#replicatedParameters}), on the
 * 2-layer gpt of hidden 16 (8 tokens, vocabulary 16): the position table (8 x 16 = 128), per layer both layer norms
 * (2 x 32) and the row-parallel linears' biases (attention output and MLP down, 2 x 16), and the final norm (32):
 * 128 + 2 x 96 + 32 = 352 of the model's 6,976 parameters. On t = 2 a rank holds 352 + (6,976 - 352) / 2 = 3,664.
 */
class ReplicatedParametersTest {
    private final ComputationGraph gpt = ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=16");

    @Test
    void megatronKeepsNormsRowParallelBiasesAndPositionsWhole() {
        TensorSplit split = TensorSplit.of(gpt);
        Map<String, Long> replicated = new java.util.TreeMap<>();
        gpt.ops().forEach(op -> replicated.merge(op.kind(), split.replicatedParameters(op), Long::sum));
        assertThat(replicated).containsEntry("embedding", 128L).containsEntry("layernorm", 5 * 32L).containsEntry("linear", 4 * 16L)
                .containsEntry("attention-scores", 0L).containsEntry("logits", 0L);
        assertThat(gpt.ops().stream().mapToLong(OpNode::parameterCount).sum()).isEqualTo(6976);
    }

    @Test
    void aRankHoldsTheReplicatedWholeAndItsPartOfTheRest() {
        List<String> ids = gpt.ops().stream().map(OpNode::id).toList();
        PlacementPlan plan = new PlacementPlan(gpt.name(), "", "test", "", Precision.FP32, OptimizerKind.SGD, 2, 2, 1,
                Schedule.GPIPE, 2, List.of(new Stage(0, List.of("n0g0", "n0g1"), ids, false)));
        PlanLayout layout = PlanValidator.validate(plan, gpt, Fixtures.cluster(1, 2, new LinkProfile(1e11, 0), new LinkProfile(1e10, 0)));
        assertThat(layout.parameterShare(0)).isEqualTo(352 + (6976 - 352) / 2);
        long units = ParameterUnit.of(layout, 0).stream().mapToLong(ParameterUnit::parametersPerRank).sum();
        assertThat(units).as("the ZeRO units' shares add up to the stage's").isEqualTo(layout.parameterShare(0));
    }

    /** Neither a transformer nor an MLP: the mlp with a layer norm in place of its first ReLU. */
    @Test
    void anotherGraphWithoutAttentionSplitsEverything() {
        ComputationGraph mlp = ModelZoo.build("mlp:layers=2,width=16");
        ComputationGraph normed = mlp.derived("normed", 1, mlp.ops().stream()
                .map(op -> op.id().equals("relu0") ? new OpNode("relu0", "relu0", "layernorm", op.layer(), 0, 0, 128,
                        op.activationBytes(), 0, Map.of(), Map.of()) : op).toList(), mlp.tensors());
        TensorSplit split = TensorSplit.of(normed);
        assertThat(split.mlp()).isFalse();
        assertThat(split.notMlp()).map(OpNode::id).hasValue("relu0");
        assertThat(normed.ops()).allMatch(op -> split.replicatedParameters(op) == 0 && split.shardedOutput(op));
    }
}
