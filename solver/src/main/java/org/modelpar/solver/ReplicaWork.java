package org.modelpar.solver;

import java.util.Arrays;
import org.modelpar.solver.partition.Ideals;
import org.modelpar.solver.partition.ReplicaPartitioner;

/**
 * The time bound of PipeDream's hybrid placements ({@link ReplicaPartitioner.Cost#work}): a block on a stage of r
 * replicas adds at least its compute on r replicas (each running micro-batch / r samples) to the stage's time, so r
 * times a stage's time is at least the sum over its blocks of their least r x compute over the replica counts a stage
 * may have (those dividing the micro-batch, at most R - (p - 1)): a block's work. Summed over the stages, R times the
 * slowest stage is at least the work of all blocks (the data-parallel bound of Narayanan et al., SOSP 2019, section
 * 3.1, taken per block and at every replica count). Per ideal, the work of its blocks.
 */
final class ReplicaWork {
    /** Per ideal, the summed work of its blocks (nanoseconds x replicas). */
    private final long[] work;
    private final int replicas;

    private ReplicaWork(long[] work, int replicas) {
        this.work = work;
        this.replicas = replicas;
    }

    /** The work of configuration c's blocks, per ideal of {@code ideals}, as {@code problems} prices them on c's replicas. */
    static ReplicaWork of(Configuration c, ProblemBuilder problems, Ideals ideals) {
        int replicas = c.pipeline() * c.data();
        long[] least = new long[ideals.blocks()];
        Arrays.fill(least, Long.MAX_VALUE);
        for (int count = 1; count <= replicas - (c.pipeline() - 1); count++) {
            if (c.microBatchSize() % count != 0) {
                continue; // ReplicatedSplitCost does not allow it
            }
            long[] compute = problems.leastComputeNanos(c, count);
            for (int b = 0; b < least.length; b++) {
                least[b] = Math.min(least[b], count * compute[b]);
            }
        }
        long[] work = new long[ideals.count()];
        for (int i = 1; i < work.length; i++) {
            work[i] = work[ideals.parent(i)] + least[ideals.added(i)];
        }
        return new ReplicaWork(work, replicas);
    }

    /** No bound: every ideal's work 0. */
    static ReplicaWork none(Ideals ideals, int replicas) {
        return new ReplicaWork(new long[ideals.count()], replicas);
    }

    /** The work of the blocks of the ideal, nanoseconds x replicas. */
    double of(int ideal) {
        return work[ideal];
    }

    /** A lower bound of the slowest stage of every hybrid placement, in nanoseconds: all blocks' work over the R replicas. */
    double leastBottleneckNanos() {
        return (double) work[work.length - 1] / replicas;
    }
}
