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

    @Test
    void anOutputReadTwiceIsOneTensor() {
        // x alone: it sends 200 bytes over two edges but its output is 100 (its activation)
        assertThat(StageWorkspace.of(g, List.of(g.op("x").orElseThrow())).bytesPerSample()).isEqualTo(100);
    }
}
