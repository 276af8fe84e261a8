package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

class BlockSetTest {
    @Test
    void layerWithParallelBranchesIsSplitIntoOps() {
        // a1 -> {b1, b2} -> c1, with b1 and b2 in one layer "b"
        BlockSet blocks = BlockSet.of(graph(List.of("a1>b1", "a1>b2", "b1>c1", "b2>c1")), 128);
        assertThat(blocks.size()).isEqualTo(4);
        assertThat(blocks.opsOfBlock()).allSatisfy(ops -> assertThat(ops).hasSize(1));
        assertThat(blocks.isChain()).isFalse();
    }

    @Test
    void layerThatIsOnePathKeepsItsBlock() {
        BlockSet blocks = BlockSet.of(graph(List.of("a1>b1", "b1>b2", "a1>b2", "b2>c1")), 128);
        assertThat(blocks.opsOfBlock()).containsExactly(List.of("a1"), List.of("b1", "b2"), List.of("c1"));
    }

    @Test
    void manyLayersKeepLayerBlocksEvenWithBranches() {
        // 3 layer blocks > 8 / 4: stays by layer
        BlockSet blocks = BlockSet.of(graph(List.of("a1>b1", "a1>b2", "b1>c1", "b2>c1")), 8);
        assertThat(blocks.size()).isEqualTo(3);
    }

    private static ComputationGraph graph(List<String> edges) {
        List<OpNode> ops = new ArrayList<>();
        for (String id : List.of("a1", "b1", "b2", "c1")) {
            ops.add(new OpNode(id, id, "linear", id.substring(0, 1), 1e9, 2e9, 1_000, 4_000, 0, Map.of(), Map.of()));
        }
        List<TensorEdge> tensors = new ArrayList<>();
        for (String e : edges) {
            String[] ends = e.split(">");
            tensors.add(new TensorEdge("t" + tensors.size(), ends[0], ends[1], 4_000));
        }
        return ComputationGraph.of("toy", 1, ops, tensors);
    }
}
