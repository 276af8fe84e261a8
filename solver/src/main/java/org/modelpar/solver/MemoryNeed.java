package org.modelpar.solver;

import org.modelpar.solver.partition.ChainPartition;
import org.modelpar.solver.partition.ChainPartitioner;
import org.modelpar.solver.timefold.Block;
import org.modelpar.solver.timefold.PlacementProblem;
import org.modelpar.solver.timefold.StageSlot;

/**
 * The least memory a configuration needs: the contiguous split minimizing the largest stage memory
 * relative to its device's limit (a dynamic program over the same per-block bytes the placement uses). An
 * interleaved configuration's stages are model chunks: its need is that split's chunks summed per device group, on
 * the group whose sum is the largest part of its memory.
 *
 * @param configuration the configuration
 * @param neededBytes   bytes on the most loaded device of that split
 * @param stage         its stage
 * @param limitBytes    that stage's limit (capacity minus margin)
 */
record MemoryNeed(Configuration configuration, long neededBytes, int stage, long limitBytes) {
    static MemoryNeed of(Configuration c, PlacementProblem problem) {
        int n = problem.blocks().size();
        int k = problem.stages().size();
        long[][] prefix = new long[k][n + 1];
        for (int s = 0; s < k; s++) {
            for (int b = 0; b < n; b++) {
                Block block = problem.blocks().get(b);
                prefix[s][b + 1] = prefix[s][b] + block.memoryBytes()[s];
            }
        }
        if (k > n) {
            return new MemoryNeed(c, Long.MAX_VALUE, 0, problem.stages().get(0).capacityBytes());
        }
        ChainPartition best = ChainPartitioner.minimizeBottleneck(n, k, (s, from, to) ->
                (double) (prefix[s][to] - prefix[s][from]) / Math.max(1, problem.stages().get(s).capacityBytes()))
                .orElseThrow();
        int worst = 0;
        double worstRatio = -1;
        for (int s = 0; s < k; s++) {
            StageSlot slot = problem.stages().get(s);
            long bytes = prefix[s][best.boundaries().get(s + 1)] - prefix[s][best.boundaries().get(s)];
            double ratio = (double) bytes / Math.max(1, slot.capacityBytes());
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = s;
            }
        }
        if (c.virtualStages() > 1) { // a device holds its v chunks: their bytes summed against its memory
            long[] chunks = new long[k];
            for (int s = 0; s < k; s++) {
                chunks[s] = prefix[s][best.boundaries().get(s + 1)] - prefix[s][best.boundaries().get(s)];
            }
            long[] groups = ChunkBudgets.groupBytes(c, chunks);
            int group = 0;
            for (int g = 1; g < groups.length; g++) {
                if ((double) groups[g] / problem.stages().get(g).capacityBytes()
                        > (double) groups[group] / problem.stages().get(group).capacityBytes()) {
                    group = g;
                }
            }
            return new MemoryNeed(c, groups[group], group, problem.stages().get(group).capacityBytes());
        }
        long bytes = prefix[worst][best.boundaries().get(worst + 1)] - prefix[worst][best.boundaries().get(worst)];
        return new MemoryNeed(c, bytes, worst, problem.stages().get(worst).capacityBytes());
    }

    double ratio() {
        return (double) neededBytes / Math.max(1, limitBytes);
    }
}
