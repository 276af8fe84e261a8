package org.modelpar.solver.timefold;

import java.util.HashMap;
import java.util.Map;

/**
 * The score {@link PlacementConstraints} gives a placement whose tensors all go to the same or a later stage,
 * computed directly from the problem (no Timefold session), level by level, each a penalty (lower is better).
 *
 * @param overBytes       hard: bytes over capacity, summed over the stages
 * @param bottleneckNanos soft: the slowest stage's compute, all-reduce share and transfers per micro-batch
 * @param trafficBytes    soft (secondary): bytes received from other stages per micro-batch
 */
record PlacementScore(long overBytes, long bottleneckNanos, long trafficBytes) {
    /** The score of the blocks on {@code stageOf} (stage per block); the stage order is not checked. */
    static PlacementScore of(PlacementProblem problem, int[] stageOf) {
        int k = problem.stages().size();
        long[] bytes = new long[k];
        long[] nanos = new long[k];
        for (Block b : problem.blocks()) {
            int s = stageOf[b.index()];
            bytes[s] += b.memoryBytes()[s];
            nanos[s] += b.stageNanos(s);
        }
        // per output: the bytes of its crossing links by sending stage and receiving stage, then by receiving stage
        Map<BlockLink.Output, long[][]> crossing = new HashMap<>();
        for (BlockLink l : problem.links()) {
            int from = stageOf[l.from()];
            int to = stageOf[l.to()];
            if (from != to) {
                crossing.computeIfAbsent(l.output(), o -> new long[k + 1][k])[from][to] += l.bytes();
            }
        }
        long traffic = 0;
        for (Map.Entry<BlockLink.Output, long[][]> e : crossing.entrySet()) {
            BlockLink.Output output = e.getKey();
            long[][] fromTo = e.getValue();
            long[] received = fromTo[k];
            for (int from = 0; from < k; from++) {
                for (int to = 0; to < k; to++) {
                    if (fromTo[from][to] > 0) {
                        nanos[from] += problem.stages().get(from).outbound().roundTripNanos(output.sent(fromTo[from][to]));
                        received[to] += fromTo[from][to];
                    }
                }
            }
            for (int to = 0; to < k; to++) {
                if (received[to] > 0) {
                    nanos[to] += problem.stages().get(to).inbound().roundTripNanos(output.sent(received[to]));
                    traffic += output.sent(received[to]);
                }
            }
        }
        long over = 0;
        long bottleneck = 0;
        for (int s = 0; s < k; s++) {
            over += Math.max(0, bytes[s] - problem.stages().get(s).capacityBytes());
            bottleneck = Math.max(bottleneck, nanos[s]);
        }
        return new PlacementScore(over, bottleneck, traffic);
    }

    /** Whether this score is at least as good as {@code other}, comparing the levels in order. */
    boolean noWorseThan(PlacementScore other) {
        if (overBytes != other.overBytes) {
            return overBytes < other.overBytes;
        }
        if (bottleneckNanos != other.bottleneckNanos) {
            return bottleneckNanos < other.bottleneckNanos;
        }
        return trafficBytes <= other.trafficBytes;
    }
}
