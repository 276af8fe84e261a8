package org.modelpar.graph.coarsen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.graph.zoo.ModelZoo;

class CoarsenerTest {
    /** A random DAG: ops shuffled in the op list, each op fed by up to 3 earlier ops, some measured. */
    static ComputationGraph randomDag(long seed, int n) {
        Random rnd = new Random(seed);
        List<OpNode> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, MeasuredTime> measured = rnd.nextBoolean()
                    ? Map.of("dev" + rnd.nextInt(2), new MeasuredTime(rnd.nextDouble(), rnd.nextDouble())) : Map.of();
            ops.add(new OpNode("op" + i, "op" + i, "k", "layer" + (i / 7), rnd.nextInt(1000), rnd.nextInt(2000),
                    rnd.nextInt(100), rnd.nextInt(100), rnd.nextInt(10), measured, Map.of()));
        }
        List<TensorEdge> tensors = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            int fanIn = rnd.nextInt(4);
            for (int k = 0; k < fanIn; k++) {
                int from = Math.max(0, i - 1 - rnd.nextInt(Math.min(i, 12)));
                tensors.add(new TensorEdge("t" + tensors.size(), "op" + from, "op" + i, rnd.nextInt(50)));
            }
        }
        List<OpNode> shuffled = new ArrayList<>(ops);
        java.util.Collections.shuffle(shuffled, rnd);
        return ComputationGraph.of("random" + seed, 1, shuffled, tensors);
    }

    static void assertPreservesEverything(ComputationGraph g, CoarseGraph c) {
        ComputationGraph b = c.graph();
        assertThat(b.parameterBytes()).isEqualTo(g.parameterBytes());
        assertThat(b.activationBytesPerSample()).isEqualTo(g.activationBytesPerSample());
        assertThat(b.ops().stream().mapToLong(OpNode::workspaceBytes).sum())
                .isEqualTo(g.ops().stream().mapToLong(OpNode::workspaceBytes).sum());
        assertThat(b.forwardFlopsPerSample()).isCloseTo(g.forwardFlopsPerSample(), within(1e-6));
        assertThat(b.backwardFlopsPerSample()).isCloseTo(g.backwardFlopsPerSample(), within(1e-6));
        assertThat(b.measuredSeconds().keySet()).isEqualTo(g.measuredSeconds().keySet());
        g.measuredSeconds().forEach((type, s) -> assertThat(b.measuredSeconds().get(type)).isCloseTo(s, within(1e-9)));
        // every op in exactly one block
        List<String> all = c.opsOfBlock().values().stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(g.opCount()).doesNotHaveDuplicates();
        Map<String, String> blockOf = c.blockOfOp();
        // crossing tensors keep their ids; internal ones disappear
        Set<String> crossing = new HashSet<>();
        for (TensorEdge t : g.tensors()) {
            if (!blockOf.get(t.from()).equals(blockOf.get(t.to()))) {
                crossing.add(t.id());
            }
        }
        Set<String> kept = new HashSet<>();
        b.tensors().forEach(t -> kept.add(t.id()));
        assertThat(kept).hasSize(b.tensorCount()).isEqualTo(crossing);
        // blocks listed in topological order: every tensor goes forward
        Map<String, Integer> position = new HashMap<>();
        c.opsOfBlock().keySet().forEach(block -> position.put(block, position.size()));
        for (TensorEdge t : b.tensors()) {
            if (position.get(t.from()) >= position.get(t.to())) {
                throw new AssertionError("tensor " + t.id() + " goes backwards from " + t.from() + " to " + t.to());
            }
        }
    }

    @ParameterizedTest(name = "seed {0}, {1} ops, at most {2} blocks")
    @CsvSource({"1, 50, 5", "2, 200, 16", "3, 500, 1", "4, 30, 40", "5, 1000, 64", "6, 2, 1", "7, 300, 299"})
    void toAtMostPreservesTotalsAndIsADag(long seed, int n, int max) {
        ComputationGraph g = randomDag(seed, n);
        CoarseGraph c = Coarsener.toAtMost(g, max);
        assertThat(c.blockCount()).isEqualTo(Math.min(max, n));
        assertPreservesEverything(g, c);
    }

    @ParameterizedTest(name = "seed {0}, {1} ops")
    @CsvSource({"11, 60", "12, 400", "13, 1"})
    void byLayerPreservesTotalsAndIsADag(long seed, int n) {
        ComputationGraph g = randomDag(seed, n);
        CoarseGraph c = Coarsener.byLayer(g);
        assertPreservesEverything(g, c);
        c.opsOfBlock().forEach((block, ops) -> assertThat(ops.stream().map(id -> g.op(id).orElseThrow().layer()).distinct()).hasSize(1));
        assertThat(c.blockCount()).isEqualTo((n + 6) / 7);
    }

    @Test
    void gptByLayerGivesEmbeddingBlocksAndHead() {
        ComputationGraph g = ModelZoo.build("gpt-tiny");
        CoarseGraph c = Coarsener.byLayer(g);
        assertThat(c.opsOfBlock().keySet()).containsExactly("embedding", "block0", "block1", "block2", "block3", "head");
        assertThat(c.opsOfBlock().get("block2")).hasSize(12);
        assertThat(c.graph().op("block1").orElseThrow().parameterBytes()).isEqualTo(4L * (12 * 64 * 64 + 13 * 64));
        assertPreservesEverything(g, c);
    }

    @Test
    void aChainIsCutIntoBalancedPieces() {
        ComputationGraph g = ModelZoo.build("gpt:layers=8,hidden=64,heads=4,seq=32,vocab=64");
        CoarseGraph c = Coarsener.toAtMost(g, 4);
        double total = g.forwardFlopsPerSample();
        assertThat(c.graph().ops()).allSatisfy(b -> assertThat(b.forwardFlops()).isBetween(0.1 * total, 0.45 * total));
        assertPreservesEverything(g, c);
    }

    /** Correctness at scale; the time is bench/coarsen.sh's (the timeout only stops a hang). */
    @Test
    @Timeout(300)
    void handlesOneHundredThousandOps() {
        ComputationGraph g = randomDag(42, 100_000);
        CoarseGraph c = Coarsener.toAtMost(g, 256);
        CoarseGraph layers = Coarsener.byLayer(g);
        assertThat(c.blockCount()).isEqualTo(256);
        // tags are i / 7 and edges only go forward, so each tag's ops can stay together
        assertThat(layers.blockCount()).isEqualTo((100_000 + 6) / 7);
        assertPreservesEverything(g, c);
    }
}
