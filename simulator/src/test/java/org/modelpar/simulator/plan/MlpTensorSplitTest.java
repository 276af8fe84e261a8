package org.modelpar.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;

/**
 * An MLP split as Megatron-LM splits a transformer's MLP block, pair by pair ({@link TensorSplit#mlp}), hand-counted on
 * the width-16 mlp with 2 hidden layers: fc0 -> relu0 -> fc1 -> relu1 -> fc2 -> loss. fc0 is column-parallel, fc1
 * row-parallel, fc2 (no linear after it) whole on every rank; each op outputs 16 values (64 bytes) a sample.
 */
class MlpTensorSplitTest {
    private final ComputationGraph mlp = ModelZoo.build("mlp:layers=2,width=16");
    private final TensorSplit split = TensorSplit.of(mlp);

    @Test
    void pairsTheLinearsAndLeavesTheLastOneWhole() {
        assertThat(split.mlp()).isTrue();
        assertThat(ids(split::columnParallel)).containsExactly("fc0");
        assertThat(ids(split::rowParallel)).containsExactly("fc1");
        assertThat(ids(split::shardedOutput)).as("split between the pair").containsExactly("fc0", "relu0");
        assertThat(ids(split::replicatedWork)).as("every rank repeats what follows the pair").containsExactly("relu1", "fc2", "loss");
    }

    /** fc1's bias (16, added after the all-reduce) and all of fc2 (16 x 16 + 16): 288 of 816 parameters. */
    @Test
    void keepsTheRowParallelBiasAndTheUnpairedLinearWhole() {
        Map<String, Long> replicated = new TreeMap<>();
        mlp.ops().forEach(op -> replicated.put(op.id(), split.replicatedParameters(op)));
        assertThat(replicated).containsEntry("fc0", 0L).containsEntry("fc1", 16L).containsEntry("fc2", 272L).containsEntry("relu0", 0L);
        assertThat(mlp.ops().stream().mapToLong(OpNode::parameterCount).sum()).isEqualTo(816);
    }

    /**
     * Forward, the row-parallel fc1 sums its output (64 bytes a sample); backward, nothing: fc0 reads the model's
     * input, whose gradient nothing reads. With 3 hidden layers (two pairs) the second pair's column-parallel fc2 sums
     * its input gradient (64 bytes).
     */
    @Test
    void sumsThePairsOutputAndTheInputGradientOfAColumnThatHasAProducer() {
        assertThat(mlp.ops().stream().flatMap(op -> split.collectives(op, false).stream()).toList()).containsExactly(64L);
        assertThat(mlp.ops().stream().flatMap(op -> split.collectives(op, true).stream()).toList()).isEmpty();
        ComputationGraph pairs = ModelZoo.build("mlp:layers=3,width=16");
        TensorSplit two = TensorSplit.of(pairs);
        assertThat(pairs.ops().stream().filter(op -> !two.collectives(op, true).isEmpty()).map(OpNode::id)).containsExactly("fc2");
        assertThat(pairs.ops().stream().filter(op -> !two.collectives(op, false).isEmpty()).map(OpNode::id))
                .containsExactly("fc1", "fc3");
    }

    private List<String> ids(Predicate<OpNode> p) {
        return mlp.topologicalOrder().stream().filter(p).map(OpNode::id).toList();
    }
}
