package org.modelpar.solver.partition;

/** Exhaustive reference: every assignment of blocks to k ordered stages, k^n of them. */
final class BruteForce {
    private BruteForce() {
    }

    /** The smallest slowest stage over every assignment that respects the DAG and leaves no stage empty. */
    static double bottleneck(SetCost dag, int stages) {
        int n = dag.blocks();
        int[] stageOf = new int[n];
        double best = Double.POSITIVE_INFINITY;
        long total = (long) Math.pow(stages, n);
        for (long code = 0; code < total; code++) {
            long c = code;
            for (int b = 0; b < n; b++) {
                stageOf[b] = (int) (c % stages);
                c /= stages;
            }
            best = Math.min(best, dag.evaluate(stageOf, stages));
        }
        return best;
    }
}
