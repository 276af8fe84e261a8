package org.modelpar.solver.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * PipeDream's chain compression of a DAG (Narayanan et al., "PipeDream: Generalized Pipeline Parallelism
 * for DNN Training", SOSP 2019; its optimizer handles a DAG by collapsing each parallel region between two
 * points every path passes through into one node, its "antichain DAG", and partitioning the resulting
 * chain): the blocks, in a topological order, are grouped into series components, and stage boundaries may
 * only fall between components.
 *
 * <p>A boundary before block {@code c} is a series point when every edge crossing it starts at block
 * {@code c - 1}: then every path from the blocks before it to the blocks after it passes through
 * {@code c - 1}. A diamond {@code a -> b, a -> c, b -> d, c -> d} in order {@code a b c d} has one series
 * point, after the fork {@code a}: the edge {@code a -> c} crosses the boundary after {@code b} and
 * {@code b -> d} the one after {@code c}, so the branches and their join form one component.
 *
 * @param boundaries component c holds blocks {@code [boundaries[c], boundaries[c+1])}; starts at 0, strictly
 *                   increasing, ends at the block count
 */
public record SeriesChain(List<Integer> boundaries) {
    public SeriesChain {
        boundaries = List.copyOf(boundaries);
        if (boundaries.size() < 2 || boundaries.get(0) != 0) {
            throw new IllegalArgumentException("boundaries must start at 0 and hold a component, got " + boundaries);
        }
        for (int c = 1; c < boundaries.size(); c++) {
            if (boundaries.get(c) <= boundaries.get(c - 1)) {
                throw new IllegalArgumentException("component " + (c - 1) + " is empty in " + boundaries);
            }
        }
    }

    /**
     * @param blocks block count, at least 1
     * @param edges  {@code {from, to}} pairs with {@code from <= to} (a topological order of the blocks)
     * @throws IllegalArgumentException for a backward or out-of-range edge
     */
    public static SeriesChain of(int blocks, List<int[]> edges) {
        if (blocks < 1) {
            throw new IllegalArgumentException("need at least one block, got " + blocks);
        }
        // allowed[c]: boundary before block c is a series point; difference array of crossing edges not from c-1
        int[] blocking = new int[blocks + 1];
        for (int[] e : edges) {
            if (e[0] < 0 || e[1] >= blocks || e[0] > e[1]) {
                throw new IllegalArgumentException("edge " + e[0] + " -> " + e[1] + " must go forward between blocks [0, " + blocks + ")");
            }
            // the edge crosses boundaries e[0]+1 .. e[1]; it blocks all but e[0]+1
            if (e[1] >= e[0] + 2) {
                blocking[e[0] + 2]++;
                blocking[e[1] + 1]--;
            }
        }
        List<Integer> bounds = new ArrayList<>();
        bounds.add(0);
        int open = 0;
        for (int c = 1; c < blocks; c++) {
            open += blocking[c];
            if (open == 0) {
                bounds.add(c);
            }
        }
        bounds.add(blocks);
        return new SeriesChain(bounds);
    }

    public int components() {
        return boundaries.size() - 1;
    }

    /**
     * The optimal split of the compressed chain into {@code min(stages, components())} stages, with
     * boundaries in block indices; the stage cost is over blocks {@code [from, to)} as for
     * {@link ChainPartitioner#minimizeBottleneck}.
     */
    public Optional<ChainPartition> minimizeBottleneck(int stages, StageCost blockCost) {
        int k = Math.min(stages, components());
        StageCost componentCost = (s, from, to) -> blockCost.seconds(s, boundaries.get(from), boundaries.get(to));
        return ChainPartitioner.minimizeBottleneck(components(), k, componentCost).map(p -> ChainPartition.straight(
                p.boundaries().stream().map(boundaries::get).toList(), p.bottleneck()));
    }
}
