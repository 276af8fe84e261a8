package org.modelpar.solver.partition;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * PipeDream's augmented antichain of an ideal (Narayanan et al., SOSP 2019; {@code graph.py}'s
 * {@code augment_antichain}): the ideal's maximal blocks a, and every predecessor p of some a with an edge to
 * a block that is neither a nor a predecessor of a. PipeDream charges a cut at the ideal with the summed
 * outputs of these blocks.
 */
final class AugmentedAntichain {
    private final Ideals ideals;
    private final List<List<Integer>> successors = new ArrayList<>();
    /** Strict predecessors of every block (transitive). */
    private final BitSet[] predecessors;

    AugmentedAntichain(Ideals ideals, List<int[]> edges) {
        this.ideals = ideals;
        int n = ideals.blocks();
        predecessors = new BitSet[n];
        for (int b = 0; b < n; b++) {
            successors.add(new ArrayList<>());
            predecessors[b] = new BitSet(n);
        }
        for (int[] e : edges) {
            successors.get(e[0]).add(e[1]);
        }
        // edges go forward, so a block's predecessors are complete before it is reached
        for (int b = 0; b < n; b++) {
            for (int c : successors.get(b)) {
                predecessors[c].set(b);
                predecessors[c].or(predecessors[b]);
            }
        }
    }

    /** Per ideal, the summed {@code activationBytes} of its augmented antichain (0 for the empty ideal). */
    double[] outputBytes(double[] activationBytes) {
        double[] out = new double[ideals.count()];
        for (int j = 1; j < out.length; j++) {
            BitSet augmented = augment(maximal(j));
            for (int b = augmented.nextSetBit(0); b >= 0; b = augmented.nextSetBit(b + 1)) {
                out[j] += activationBytes[b];
            }
        }
        return out;
    }

    /** The ideal's maximal blocks (those none of whose successors it holds). */
    BitSet maximal(int ideal) {
        BitSet max = new BitSet(ideals.blocks());
        for (int a = 0; a < ideals.blocks(); a++) {
            if (ideals.contains(ideal, a) && successors.get(a).stream().noneMatch(c -> ideals.contains(ideal, c))) {
                max.set(a);
            }
        }
        return max;
    }

    /** The antichain with every predecessor p of one of its blocks a that has an edge to neither a nor a predecessor of a. */
    BitSet augment(BitSet antichain) {
        BitSet augmented = (BitSet) antichain.clone();
        for (int a = antichain.nextSetBit(0); a >= 0; a = antichain.nextSetBit(a + 1)) {
            BitSet before = predecessors[a];
            for (int p = before.nextSetBit(0); p >= 0; p = before.nextSetBit(p + 1)) {
                for (int o : successors.get(p)) {
                    if (o != a && !before.get(o)) {
                        augmented.set(p);
                    }
                }
            }
        }
        return augmented;
    }

    /** The strict (transitive) predecessors of a block; not a copy. */
    BitSet predecessors(int block) {
        return predecessors[block];
    }

    List<Integer> successors(int block) {
        return successors.get(block);
    }
}
