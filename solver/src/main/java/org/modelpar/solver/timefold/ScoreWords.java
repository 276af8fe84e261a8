package org.modelpar.solver.timefold;

import ai.timefold.solver.core.api.score.analysis.ConstraintAnalysis;
import ai.timefold.solver.core.api.score.analysis.ScoreAnalysis;
import ai.timefold.solver.core.api.score.buildin.bendablelong.BendableLongScore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.profiles.ByteSize;

/**
 * Timefold's score analysis of a placement in words, seconds and bytes, one line per constraint: whether it
 * holds, which stage binds and by how much. The penalties come from the analysis; the per-stage times and
 * memory that name the binding stage are summed here by the same rules ({@link PlacementConstraints}).
 */
final class ScoreWords {
    private ScoreWords() {
    }

    static List<String> of(PlacementProblem problem, int[] stageOf, ScoreAnalysis<BendableLongScore> analysis) {
        int k = problem.stages().size();
        long[] compute = new long[k];
        long[] transfer = new long[k];
        long[] memory = new long[k];
        for (Block b : problem.blocks()) {
            int s = stageOf[b.index()];
            compute[s] += b.stageNanos(s);
            memory[s] += b.memoryBytes()[s];
        }
        // per output and (sender, receiver) pair: the bytes of its links between them, sent and received once
        Map<List<Integer>, Long> bytes = new HashMap<>();
        Map<Integer, BlockLink.Output> outputs = new HashMap<>();
        for (BlockLink l : problem.links()) {
            int from = stageOf[l.from()];
            int to = stageOf[l.to()];
            if (from < to) {
                bytes.merge(List.of(l.output().index(), from, to), l.bytes(), Long::sum);
                outputs.put(l.output().index(), l.output());
            }
        }
        bytes.forEach((key, b) -> {
            long sent = outputs.get(key.get(0)).sent(b);
            transfer[key.get(1)] += problem.stages().get(key.get(1)).outbound().roundTripNanos(sent);
            transfer[key.get(2)] += problem.stages().get(key.get(2)).inbound().roundTripNanos(sent);
        });
        List<String> lines = new ArrayList<>();
        for (ConstraintAnalysis<BendableLongScore> c : analysis.constraintAnalyses()) {
            BendableLongScore score = c.score();
            lines.add(c.constraintName() + ": " + switch (c.constraintName()) {
                case PlacementConstraints.STAGE_ORDER -> score.hardScore(0) == 0
                        ? "holds, every tensor goes to the same or a later stage"
                        : "broken, tensors go back " + -score.hardScore(0) + " stages in all";
                case PlacementConstraints.DEVICE_MEMORY -> memory(problem, memory, -score.hardScore(1));
                case PlacementConstraints.BOTTLENECK_STAGE -> bottleneck(compute, transfer, -score.softScore(0));
                case PlacementConstraints.CROSS_STAGE_TRAFFIC -> ByteSize.format(-score.softScore(1))
                        + " received from other stages per micro-batch";
                default -> throw new IllegalStateException("no words for constraint " + c.constraintName());
            });
        }
        lines.sort(null);
        return lines;
    }

    /** The stage with the least headroom (or the most over), in the unit of its capacity. */
    private static String memory(PlacementProblem problem, long[] memory, long overBytes) {
        int tightest = 0;
        for (int s = 1; s < memory.length; s++) {
            if (headroom(problem, memory, s) < headroom(problem, memory, tightest)) {
                tightest = s;
            }
        }
        long capacity = problem.stages().get(tightest).capacityBytes();
        // each amount in its own unit: a small model's bytes read in MiB beside an 80 GiB device
        String used = ByteSize.format(memory[tightest]) + " of " + ByteSize.format(capacity) + " usable";
        return overBytes > 0
                ? "broken, " + ByteSize.format(overBytes) + " over in all; stage " + tightest + " needs " + used
                : "holds; tightest stage " + tightest + ": " + used + ", headroom " + ByteSize.format(capacity - memory[tightest]);
    }

    private static long headroom(PlacementProblem problem, long[] memory, int stage) {
        return problem.stages().get(stage).capacityBytes() - memory[stage];
    }

    /** The slowest stage's time, split into compute and transfers, and its lead over the next slowest. */
    private static String bottleneck(long[] compute, long[] transfer, long penaltyNanos) {
        int slowest = 0;
        for (int s = 1; s < compute.length; s++) {
            if (compute[s] + transfer[s] > compute[slowest] + transfer[slowest]) {
                slowest = s;
            }
        }
        long worst = compute[slowest] + transfer[slowest];
        long next = -1;
        int nextStage = -1;
        for (int s = 0; s < compute.length; s++) {
            if (s != slowest && compute[s] + transfer[s] > next) {
                next = compute[s] + transfer[s];
                nextStage = s;
            }
        }
        String line = String.format("binds on stage %d, %s per micro-batch (compute and all-reduce share %s, transfers %s)",
                slowest, seconds(penaltyNanos), seconds(compute[slowest]), seconds(transfer[slowest]));
        return nextStage < 0 ? line : line + String.format(", %s (%.1f%%) above stage %d", seconds(worst - next),
                next == 0 ? 100.0 : (worst - next) * 100.0 / next, nextStage);
    }

    private static String seconds(long nanos) {
        return String.format("%.6f s", nanos * 1e-9);
    }
}
