package org.modelpar.solver;

import org.modelpar.solver.partition.ReplicaPartitioner;
import org.modelpar.solver.timefold.SplitCost;

/**
 * modelpar's own stage cost for the replicated program ({@link ReplicaPartitioner}; PipeDream's is
 * {@link org.modelpar.solver.partition.PipeDreamCost}): a stage on replicas {@code [first, first + r)} is priced by
 * {@link SplitCost} on the problem built for those devices (samples per replica, all-reduce group and links from
 * the simulator). A replica count that does not divide the micro-batch is not allowed (the lowering splits every
 * micro-batch among a stage's replicas). Sends are charged per receiving stage when a whole placement is scored
 * ({@link #bottleneck}).
 */
final class ReplicatedSplitCost implements ReplicaPartitioner.Cost {
    /** The cost of a stage on replicas {@code [first, first + count)}. */
    @FunctionalInterface
    interface OnReplicas {
        SplitCost cost(int first, int count);
    }

    private final int microBatch;
    private final OnReplicas onReplicas;
    private final ReplicaWork work;
    /** Built on first use: a program bounded from above never prices most replica ranges. */
    private final SplitCost[][] costs;

    /**
     * @param replicas   R, the replicas of the configuration
     * @param microBatch samples per micro-batch, which each stage's replica count must divide
     * @param onReplicas the cost of a stage on given replicas
     * @param work       the blocks' work on these replicas ({@link #work}), or {@link ReplicaWork#none} for no bound
     */
    ReplicatedSplitCost(int replicas, int microBatch, OnReplicas onReplicas, ReplicaWork work) {
        this.microBatch = microBatch;
        this.onReplicas = onReplicas;
        this.work = work;
        this.costs = new SplitCost[replicas][replicas + 1];
    }

    /** Whether a stage may have {@code count} replicas: the count divides the micro-batch. */
    private boolean allowed(int count) {
        return microBatch % count == 0;
    }

    /** The cost on replicas {@code [first, first + count)}, of an allowed count. */
    private SplitCost on(int first, int count) {
        if (costs[first][count] == null) {
            costs[first][count] = onReplicas.cost(first, count);
        }
        return costs[first][count];
    }

    @Override
    public double of(int stage, int first, int count, int inner, int outer) {
        return allowed(count) ? on(first, count).of(stage, inner, outer) : Double.POSITIVE_INFINITY;
    }

    @Override
    public double lowerBound(int stage, int first, int count, int inner, int outer) {
        return allowed(count) ? on(first, count).lowerBound(stage, inner, outer) : Double.POSITIVE_INFINITY;
    }

    /** A stage's {@link #of} is at least its blocks' compute on its replicas ({@link SplitCost#lowerBound}). */
    @Override
    public double work(int ideal) {
        return work.of(ideal);
    }

    @Override
    public double bottleneck(int[] chain, int[] first, int[] counts, int fixed) {
        double worst = 0;
        for (int s = 0; s < fixed; s++) {
            worst = Math.max(worst, on(first[s], counts[s]).stageNanos(chain, fixed, s));
        }
        return worst;
    }
}
