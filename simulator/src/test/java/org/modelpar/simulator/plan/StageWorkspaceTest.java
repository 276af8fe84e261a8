package org.modelpar.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/**
 * Hand-computed cases of {@link StageWorkspace} on a residual block: x (output 100 per sample, sent to f and
 * to the add), f (output 50, workspace 7), add (reads x and f, sends nothing).
 */
class StageWorkspaceTest {
    private final ComputationGraph g = ComputationGraph.of("residual", 1, List.of(
            OpNode.of("x", "linear", "", 0, 0, 0, 100),
            new OpNode("f", "f", "linear", "", 0, 0, 0, 50, 7, Map.of(), Map.of()),
            OpNode.of("add", "residual-add", "", 0, 0, 0, 100)), List.of(
            new TensorEdge("x1", "x", "f", 100), new TensorEdge("x2", "x", "add", 100), new TensorEdge("y", "f", "add", 50)));

    @Test
    void wholeGraph() {
        // x's backward: its own gradient 100; f's: its 50 + x's 100 (add reads x after f) + 7; add's: x 100 + f 50
        assertThat(StageWorkspace.of(g, g.topologicalOrder()).bytesPerSample()).isEqualTo(157);
    }

    @Test
    void receivedTensorsCountUntilTheirFirstReaderIsDone() {
        // x on another stage: its gradient builds up from the add's backward through f's (50 + 100 + 7)
        List<OpNode> stage = List.of(g.op("f").orElseThrow(), g.op("add").orElseThrow());
        assertThat(StageWorkspace.of(g, stage).bytesPerSample()).isEqualTo(157);
        // the add alone: x 100 and f 50 received, nothing of its own sent
        assertThat(StageWorkspace.of(g, List.of(g.op("add").orElseThrow())).bytesPerSample()).isEqualTo(150);
    }

    /**
     * Under tensor parallelism the figure is the tensor group's: in a transformer layer L (an attention op in it), x (an
     * embedding, 100) and the row-parallel f (a linear feeding the add, 50, workspace 7) are whole on every rank, the
     * attention scores a (40) split. On one device f's backward peaks: 7 + 50 + x 100 + a 40 = 197. On t = 2 the whole
     * ones count twice: 7 + 100 + 200 + 40 = 347 (one rank holds half). Sequence parallelism splits them too: 197.
     */
    @Test
    void replicatedGradientsCountOnEveryTensorRank() {
        ComputationGraph layer = ComputationGraph.of("layer", 1, List.of(
                OpNode.of("x", "embedding", "", 0, 0, 0, 100),
                OpNode.of("a", "attention-scores", "L", 0, 0, 0, 40),
                new OpNode("f", "f", "linear", "L", 0, 0, 0, 50, 7, Map.of(), Map.of()),
                OpNode.of("add", "residual-add", "L", 0, 0, 0, 100)), List.of(
                new TensorEdge("x1", "x", "a", 100), new TensorEdge("x2", "x", "add", 100), new TensorEdge("h", "a", "f", 40),
                new TensorEdge("y", "f", "add", 50)));
        TensorSplit split = TensorSplit.of(layer);
        List<OpNode> ops = layer.topologicalOrder();
        assertThat(StageWorkspace.of(layer, ops, split, 1, false).bytesPerSample()).isEqualTo(197);
        assertThat(StageWorkspace.of(layer, ops, split, 2, false).bytesPerSample()).isEqualTo(347);
        assertThat(StageWorkspace.of(layer, ops, split, 2, true).bytesPerSample()).isEqualTo(197);
    }

    @Test
    void anOutputReadTwiceIsOneTensor() {
        // x alone: it sends 200 bytes over two edges but its output is 100 (its activation)
        assertThat(StageWorkspace.of(g, List.of(g.op("x").orElseThrow())).bytesPerSample()).isEqualTo(100);
    }
}
