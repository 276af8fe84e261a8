package org.modelpar.solver.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ideals of a DAG of blocks: the downward-closed sets (a block is in the set only with all its
 * predecessors). A pipeline's first s stages always form an ideal, so a placement into ordered stages is a
 * chain of nested ideals {@code {} = I0 < I1 < ... < Ik = all} and stage s holds {@code I(s+1) \ Is}
 * (Narayanan et al., "PipeDream", SOSP 2019; Tarnawski et al., "Efficient Algorithms for Device Placement
 * of DNN Graph Operators", NeurIPS 2020, section 3). A chain of n blocks has n + 1 ideals (its prefixes);
 * k parallel chains of lengths l_i have {@code prod(l_i + 1)}.
 *
 * <p>Enumerated once per graph, breadth first by size (an ideal of size c+1 is one of size c plus a block
 * whose predecessors it holds), so ideal 0 is empty, the last is every block, and every ideal's strict
 * subsets have smaller indices. Also stored: for each ideal, its strict sub-ideals (the pairs the dynamic
 * program visits), and the ideal it was first reached from with the block added (for sums per ideal).
 */
public final class Ideals {
    private final int blocks;
    private final long[][] members;
    private final int[] parent;
    private final int[] added;
    private final int[][] subsets;

    private Ideals(int blocks, List<long[]> members, List<Integer> parent, List<Integer> added) {
        this.blocks = blocks;
        this.members = members.toArray(long[][]::new);
        this.parent = parent.stream().mapToInt(Integer::intValue).toArray();
        this.added = added.stream().mapToInt(Integer::intValue).toArray();
        this.subsets = new int[this.members.length][];
        int[] sizes = new int[this.members.length];
        for (int j = 1; j < sizes.length; j++) {
            sizes[j] = sizes[this.parent[j]] + 1;
        }
        int[] scratch = new int[this.members.length];
        for (int j = 0; j < this.members.length; j++) {
            int n = 0;
            for (int i = 0; i < j && sizes[i] < sizes[j]; i++) {
                if (subset(this.members[i], this.members[j])) {
                    scratch[n++] = i;
                }
            }
            subsets[j] = Arrays.copyOf(scratch, n);
        }
    }

    /**
     * @param blocks    block count, at least 1
     * @param edges     {@code {from, to}} pairs, {@code from < to} (blocks in a topological order)
     * @param maxIdeals the most ideals to enumerate
     * @return the ideals, or empty when there are more than {@code maxIdeals}
     * @throws IllegalArgumentException for a backward or out-of-range edge
     */
    public static Optional<Ideals> of(int blocks, List<int[]> edges, int maxIdeals) {
        if (blocks < 1) {
            throw new IllegalArgumentException("need at least one block, got " + blocks);
        }
        int words = (blocks + 63) / 64;
        List<List<Integer>> preds = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            preds.add(new ArrayList<>());
        }
        for (int[] e : edges) {
            if (e[0] < 0 || e[1] >= blocks || e[0] >= e[1]) {
                throw new IllegalArgumentException("edge " + e[0] + " -> " + e[1] + " must go forward between blocks [0, " + blocks + ")");
            }
            preds.get(e[1]).add(e[0]);
        }
        int[][] predecessors = preds.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        List<long[]> members = new ArrayList<>(List.of(new long[words]));
        List<Integer> parent = new ArrayList<>(List.of(-1));
        List<Integer> added = new ArrayList<>(List.of(-1));
        Map<Key, Integer> index = new HashMap<>();
        int layerStart = 0;
        while (layerStart < members.size()) {
            int layerEnd = members.size();
            for (int i = layerStart; i < layerEnd; i++) {
                long[] ideal = members.get(i);
                for (int b = 0; b < blocks; b++) {
                    if (contains(ideal, b) || !containsAll(ideal, predecessors[b])) {
                        continue;
                    }
                    long[] next = ideal.clone();
                    next[b >>> 6] |= 1L << b;
                    if (index.putIfAbsent(new Key(next), members.size()) == null) {
                        if (members.size() == maxIdeals) {
                            return Optional.empty();
                        }
                        members.add(next);
                        parent.add(i);
                        added.add(b);
                    }
                }
            }
            layerStart = layerEnd;
        }
        return Optional.of(new Ideals(blocks, members, parent, added));
    }

    /** The ideals of a chain of n blocks, its prefixes: ideal j holds blocks {@code [0, j)}. */
    public static Ideals prefixes(int blocks) {
        List<int[]> chain = new ArrayList<>();
        for (int b = 0; b + 1 < blocks; b++) {
            chain.add(new int[] {b, b + 1});
        }
        return of(blocks, chain, blocks + 1).orElseThrow();
    }

    public int blocks() {
        return blocks;
    }

    public int count() {
        return members.length;
    }

    /** The ideal holding every block (the last one). */
    public int full() {
        return members.length - 1;
    }

    public boolean contains(int ideal, int block) {
        return contains(members[ideal], block);
    }

    /** The ideal this one was first reached from (one block fewer); -1 for the empty ideal. */
    public int parent(int ideal) {
        return parent[ideal];
    }

    /** The block this ideal adds to its {@link #parent}; -1 for the empty ideal. */
    public int added(int ideal) {
        return added[ideal];
    }

    /** The ideals strictly inside this one, increasing. */
    public int[] subsetsOf(int ideal) {
        return subsets[ideal].clone();
    }

    int[] subsetsView(int ideal) {
        return subsets[ideal];
    }

    /** Whether ideal {@code inner} is a subset of ideal {@code outer} (or the same). */
    public boolean nested(int inner, int outer) {
        return subset(members[inner], members[outer]);
    }

    /** Per ideal, the sum of {@code perBlock} over its blocks. */
    public double[] sums(double[] perBlock) {
        if (perBlock.length != blocks) {
            throw new IllegalArgumentException("need one value per block (" + blocks + "), got " + perBlock.length);
        }
        double[] sums = new double[members.length];
        for (int j = 1; j < sums.length; j++) {
            sums[j] = sums[parent[j]] + perBlock[added[j]];
        }
        return sums;
    }

    /** Pairs of nested ideals (i strictly inside j): the stages the dynamic program may form. */
    public long pairs() {
        long n = 0;
        for (int[] s : subsets) {
            n += s.length;
        }
        return n;
    }

    private static boolean contains(long[] set, int block) {
        return (set[block >>> 6] & (1L << block)) != 0;
    }

    private static boolean containsAll(long[] set, int[] blocks) {
        for (int b : blocks) {
            if (!contains(set, b)) {
                return false;
            }
        }
        return true;
    }

    private static boolean subset(long[] a, long[] b) {
        for (int w = 0; w < a.length; w++) {
            if ((a[w] & ~b[w]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** A member set as a hash key. */
    private record Key(long[] words) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(words, k.words);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(words);
        }

        @Override
        public String toString() {
            return Arrays.toString(words);
        }
    }
}
