package org.modelpar.solver.partition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stages PipeDream's optimizer can form (its {@code graph.py} {@code antichain_dag}, SOSP 2019 section
 * 3.1): from the antichain of the first source, each step replaces a block of the augmented antichain by a
 * successor none of whose descendants is in the augmented antichain; a state is the ideal below its antichain,
 * and a stage runs from a state to a later state reachable from it (or from nothing to a state). A subset of
 * the ideals: on GNMT, 99 states of 7,874 ideals.
 */
final class PipeDreamStates {
    /** Per ideal, whether it is a state; per state pair, whether the first reaches the second. */
    private final boolean[] state;
    private final Map<Integer, BitSet> reachable = new HashMap<>();

    /**
     * @param firstSource the first source block in PipeDream's node order (the profile file's)
     * @param edges       the block DAG
     */
    PipeDreamStates(Ideals ideals, List<int[]> edges, int firstSource) {
        AugmentedAntichain dag = new AugmentedAntichain(ideals, edges);
        int n = ideals.blocks();
        BitSet[] above = new BitSet[n];
        for (int b = n - 1; b >= 0; b--) {
            above[b] = new BitSet(n);
            for (int c : dag.successors(b)) {
                above[b].set(c);
                above[b].or(above[c]);
            }
        }
        Map<BitSet, Integer> indexOf = new HashMap<>();
        for (int j = 0; j < ideals.count(); j++) {
            BitSet members = new BitSet(n);
            for (int b = 0; b < n; b++) {
                if (ideals.contains(j, b)) {
                    members.set(b);
                }
            }
            indexOf.put(members, j);
        }
        Map<BitSet, List<BitSet>> next = new LinkedHashMap<>();
        ArrayDeque<BitSet> queue = new ArrayDeque<>();
        BitSet start = new BitSet(n);
        start.set(firstSource);
        queue.add(start);
        while (!queue.isEmpty()) {
            BitSet antichain = queue.poll();
            if (next.containsKey(antichain)) {
                continue;
            }
            BitSet augmented = dag.augment(antichain);
            List<BitSet> after = new ArrayList<>();
            for (int x = augmented.nextSetBit(0); x >= 0; x = augmented.nextSetBit(x + 1)) {
                for (int y : dag.successors(x)) {
                    if (antichain.get(y) || above[y].intersects(augmented)) {
                        continue;
                    }
                    BitSet replaced = (BitSet) augmented.clone();
                    replaced.clear(x);
                    replaced.set(y);
                    BitSet maximal = (BitSet) replaced.clone();
                    replaced.stream().forEach(b -> maximal.andNot(dag.predecessors(b)));
                    after.add(maximal);
                }
            }
            next.put(antichain, after);
            queue.addAll(after);
        }
        Map<BitSet, Integer> idealOf = new HashMap<>();
        for (BitSet a : next.keySet()) {
            BitSet down = (BitSet) a.clone();
            a.stream().forEach(b -> down.or(dag.predecessors(b)));
            idealOf.put(a, indexOf.get(down));
        }
        state = new boolean[ideals.count()];
        idealOf.values().forEach(j -> state[j] = true);
        // a step adds blocks, so a later state has a larger ideal and a larger index: fill from the largest
        List<BitSet> bySize = new ArrayList<>(next.keySet());
        bySize.sort(Comparator.comparingInt(idealOf::get));
        for (int i = bySize.size() - 1; i >= 0; i--) {
            BitSet reach = new BitSet(ideals.count());
            for (BitSet a : next.get(bySize.get(i))) {
                reach.set(idealOf.get(a));
                reach.or(reachable.getOrDefault(idealOf.get(a), new BitSet()));
            }
            reachable.merge(idealOf.get(bySize.get(i)), reach, (x, y) -> {
                x.or(y);
                return x;
            });
        }
    }

    /** Whether PipeDream can form a stage from ideal {@code inner} (0: nothing before it) to ideal {@code outer}. */
    boolean stage(int inner, int outer) {
        return state[outer] && (inner == 0 || state[inner] && reachable.get(inner).get(outer));
    }

    int count() {
        int n = 0;
        for (boolean s : state) {
            n += s ? 1 : 0;
        }
        return n;
    }

    /** PipeDream's stages only: other stages cost infinity. */
    ReplicaPartitioner.Cost restrict(ReplicaPartitioner.Cost cost) {
        return new ReplicaPartitioner.Cost() {
            @Override
            public double of(int stage, int first, int replicas, int inner, int outer) {
                return stage(inner, outer) ? cost.of(stage, first, replicas, inner, outer) : Double.POSITIVE_INFINITY;
            }

            @Override
            public double lowerBound(int stage, int first, int replicas, int inner, int outer) {
                return cost.lowerBound(stage, first, replicas, inner, outer);
            }
        };
    }
}
