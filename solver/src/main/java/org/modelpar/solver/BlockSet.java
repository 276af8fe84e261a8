package org.modelpar.solver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.coarsen.CoarseGraph;
import org.modelpar.graph.coarsen.Coarsener;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.SentBytes;
import org.modelpar.graph.TensorEdge;

/**
 * The op blocks the solver places, in a topological order of the block graph (every tensor goes from a
 * block to the same or a later one), at most {@code maxBlocks}, and the outputs that leave their block.
 *
 * @param opsOfBlock op ids per block, in topological order
 * @param outputs    per producing op with a tensor to another block (in graph op order): what it sends
 */
record BlockSet(List<List<String>> opsOfBlock, List<Output> outputs) {
    /**
     * An op's output read by ops of later blocks. A stage receives it once ({@link SentBytes} over the
     * tensors to that stage's blocks).
     *
     * @param block       the producer's block
     * @param outputBytes the producer's output bytes per sample (fp32; {@link SentBytes#outputBytes})
     * @param toBlock     per later block, the fp32 bytes per sample of the producer's tensors to it
     */
    record Output(int block, long outputBytes, SortedMap<Integer, Long> toBlock) {
        Output {
            toBlock = Collections.unmodifiableSortedMap(new TreeMap<>(toBlock));
        }
    }

    BlockSet {
        opsOfBlock = opsOfBlock.stream().map(List::copyOf).toList();
        outputs = List.copyOf(outputs);
    }

    /**
     * The graph module's coarsening: one block per layer-tag run ({@link Coarsener#byLayer}); when there are
     * more than {@code maxBlocks}, those blocks are merged further ({@link Coarsener#toAtMost}), so a layer is
     * never split across blocks. Exception: when the layers are few (at most a quarter of {@code maxBlocks})
     * and some layer holds parallel branches (an Inception module, a residual block with a projection
     * shortcut), the ops themselves are coarsened to {@code maxBlocks} blocks, so a stage boundary may fall
     * between a layer's branches; a layer whose ops form one path (a transformer layer) keeps the layer blocks.
     */
    static BlockSet of(ComputationGraph graph, int maxBlocks) {
        return splitsLayers(graph, maxBlocks) ? ofOps(graph, maxBlocks) : ofLayers(graph, maxBlocks);
    }

    /**
     * Whether {@link #of} coarsens the ops themselves: few layers (at most a quarter of {@code maxBlocks}), some with
     * parallel branches.
     */
    static boolean splitsLayers(ComputationGraph graph, int maxBlocks) {
        CoarseGraph layers = Coarsener.byLayer(graph);
        return layers.blockCount() * 4 <= maxBlocks && hasParallelBranches(graph, layers);
    }

    /**
     * One block per layer-tag run ({@link Coarsener#byLayer}), those merged further ({@link Coarsener#toAtMost}
     * over the layer graph) when there are more than {@code maxBlocks}: a layer is never split across blocks.
     */
    static BlockSet ofLayers(ComputationGraph graph, int maxBlocks) {
        CoarseGraph layers = Coarsener.byLayer(graph);
        if (layers.blockCount() <= maxBlocks) {
            return of(graph, List.copyOf(layers.opsOfBlock().values()));
        }
        List<List<String>> runs = new ArrayList<>();
        for (List<String> layerBlocks : Coarsener.toAtMost(layers.graph(), maxBlocks).opsOfBlock().values()) {
            List<String> ops = new ArrayList<>();
            layerBlocks.forEach(b -> ops.addAll(layers.opsOfBlock().get(b)));
            runs.add(ops);
        }
        return of(graph, runs);
    }

    /**
     * The ops coarsened to at most {@code maxBlocks} blocks ({@link Coarsener#toAtMost}: series chains
     * contracted first, lightest first, then neighbours in a topological order merged). With
     * {@code maxBlocks >= seriesBlocks(graph)} no block spans a branch point.
     */
    static BlockSet ofOps(ComputationGraph graph, int maxBlocks) {
        return of(graph, List.copyOf(Coarsener.toAtMost(graph, maxBlocks).opsOfBlock().values()));
    }

    /**
     * How many blocks remain when every series chain (an op with one consumer op whose only producer it
     * is) is contracted: the ops minus the series links.
     */
    static int seriesBlocks(ComputationGraph graph) {
        Map<String, Set<String>> consumers = new HashMap<>();
        Map<String, Set<String>> producers = new HashMap<>();
        for (TensorEdge t : graph.tensors()) {
            consumers.computeIfAbsent(t.from(), k -> new HashSet<>()).add(t.to());
            producers.computeIfAbsent(t.to(), k -> new HashSet<>()).add(t.from());
        }
        int series = 0;
        for (Map.Entry<String, Set<String>> e : consumers.entrySet()) {
            if (e.getValue().size() == 1 && producers.get(e.getValue().iterator().next()).size() == 1) {
                series++;
            }
        }
        return graph.opCount() - series;
    }

    private static BlockSet of(ComputationGraph graph, List<List<String>> runs) {
        Map<String, Integer> blockOf = new HashMap<>();
        for (int b = 0; b < runs.size(); b++) {
            for (String op : runs.get(b)) {
                blockOf.put(op, b);
            }
        }
        List<Output> outputs = new ArrayList<>();
        for (OpNode producer : graph.ops()) {
            int from = blockOf.get(producer.id());
            SortedMap<Integer, Long> toBlock = new TreeMap<>();
            for (TensorEdge t : graph.outgoing(producer.id())) {
                int to = blockOf.get(t.to());
                if (from > to) {
                    throw new IllegalStateException("coarsening of '" + graph.name() + "' put tensor '" + t.id()
                            + "' from block " + from + " back to block " + to);
                }
                if (from != to) {
                    toBlock.merge(to, t.bytes(), Math::addExact);
                }
            }
            if (!toBlock.isEmpty()) {
                outputs.add(new Output(from, SentBytes.outputBytes(producer, graph.outgoing(producer.id())), toBlock));
            }
        }
        return new BlockSet(runs, outputs);
    }

    /** Whether some layer block has two ops adjacent in its order that no tensor joins (parallel branches). */
    private static boolean hasParallelBranches(ComputationGraph graph, CoarseGraph layers) {
        Set<List<String>> edges = new HashSet<>();
        for (TensorEdge t : graph.tensors()) {
            edges.add(List.of(t.from(), t.to()));
        }
        for (List<String> ops : layers.opsOfBlock().values()) {
            for (int i = 0; i + 1 < ops.size(); i++) {
                if (!edges.contains(List.of(ops.get(i), ops.get(i + 1)))) {
                    return true;
                }
            }
        }
        return false;
    }

    int size() {
        return opsOfBlock.size();
    }

    /** fp32 bytes per sample each block reads from other blocks, every producer's output once per block. */
    long[] inputBytesPerSample() {
        long[] in = new long[size()];
        for (Output o : outputs) {
            o.toBlock().forEach((b, bytes) -> in[b] += SentBytes.of(bytes, o.outputBytes()));
        }
        return in;
    }

    /** Block pairs {from, to} joined by a tensor, from &lt; to. */
    List<int[]> edges() {
        List<int[]> edges = new ArrayList<>();
        for (Output o : outputs) {
            o.toBlock().keySet().forEach(to -> edges.add(new int[] {o.block(), to}));
        }
        return edges;
    }

    /** Whether every tensor between blocks joins consecutive blocks (the block graph is a chain). */
    boolean isChain() {
        return outputs.stream().allMatch(o -> o.toBlock().keySet().stream().allMatch(to -> to == o.block() + 1));
    }

    /**
     * The stage each block is pinned to ({@code plan --pin}), -1 when free. Pinning only constrains the
     * dynamic program; the Timefold refinement is skipped when pins are given.
     */
    int[] pinnedStages(Map<String, Integer> pins) {
        int[] stageOf = new int[size()];
        java.util.Arrays.fill(stageOf, -1);
        Map<String, Integer> found = new HashMap<>();
        for (int b = 0; b < size(); b++) {
            for (String op : opsOfBlock.get(b)) {
                Integer stage = pins.get(op);
                if (stage == null) {
                    continue;
                }
                found.put(op, b);
                if (stageOf[b] >= 0 && stageOf[b] != stage) {
                    throw new InfeasibleException("pinned ops share block " + b + " of the search but name stages " + stageOf[b]
                            + " and " + stage + " (op '" + op + "'); raise --max-blocks so that they can be split");
                }
                stageOf[b] = stage;
            }
        }
        for (String op : pins.keySet()) {
            if (!found.containsKey(op)) {
                throw new IllegalArgumentException("pinned op '" + op + "' is not in the graph");
            }
        }
        return stageOf;
    }
}
