package org.modelpar.solver.timefold;

import static org.assertj.core.api.Assertions.assertThat;

import ai.timefold.solver.core.api.score.buildin.bendablelong.BendableLongScore;
import ai.timefold.solver.core.api.solver.SolutionManager;
import ai.timefold.solver.core.api.solver.SolverFactory;
import ai.timefold.solver.core.config.solver.SolverConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.partition.Ideals;

/**
 * The dynamic program over ideals with modelpar's stage times ({@link SplitCost}) against an exhaustive
 * reference: every assignment of blocks to p ordered stages that respects the DAG, scored by a separate
 * reference of the rule (a sender sends an output once to each later stage reading it), on seeded random
 * problems with outputs read by several blocks, per-stage links and memory limits.
 */
class SplitCostTest {
    private static final SolutionManager<PlacementSolution, BendableLongScore> SCORES = SolutionManager.create(
            SolverFactory.create(new SolverConfig().withSolutionClass(PlacementSolution.class)
                    .withEntityClasses(BlockAssignment.class).withConstraintProviderClass(PlacementConstraints.class)));

    @Test
    void dynamicProgramEqualsExhaustiveSearch() {
        Random random = new Random(5);
        int infeasible = 0;
        int programAloneAbove = 0;
        for (int round = 0; round < 120; round++) {
            int k = 2 + random.nextInt(3);
            int n = k + random.nextInt(k == 4 ? 4 : 6);
            PlacementProblem problem = randomProblem(random, n, k, round % 2 == 1);
            Ideals ideals = Ideals.of(n, edges(problem), 1 << 12).orElseThrow();
            SplitCost cost = new SplitCost(problem, ideals);
            Optional<IdealPartitioner.Result> dp = IdealPartitioner.minimizeBottleneck(ideals, k, cost);
            double brute = bruteForce(problem);
            if (dp.isEmpty()) {
                infeasible++;
                continue;
            }
            assertThat(exactBottleneck(problem, dp.get().stageOfBlock())).isEqualTo(brute);
            assertThat(cost.leastBottleneck(k)).isLessThanOrEqualTo(brute);
            assertThat(cost.spreadBound(0, ideals.full(), k)).isLessThanOrEqualTo(brute);
            assertBoundedProgram(ideals, k, cost, dp.get());
            // the program alone (each output sent once) misses the optimum where an output feeds several later stages
            int[] alone = IdealPartitioner.minimizeBottleneck(ideals, k, cost, 0).orElseThrow().stageOfBlock();
            if (exactBottleneck(problem, alone) > brute) {
                programAloneAbove++;
            }
            // Timefold scores the DP's placement with the same time
            BendableLongScore score = score(problem, dp.get().stageOfBlock());
            assertThat(score.isFeasible()).isTrue();
            assertThat((double) -score.softScore(0)).isEqualTo(dp.get().bottleneck());
        }
        assertThat(infeasible).isBetween(1, 60);
        assertThat(programAloneAbove).isPositive();
    }

    /**
     * Blocks 0 -> 1 -> 2 -> 3 and block 0's output also read by block 3, three stages: the output of block 0
     * goes to two later stages whenever stage 0 is block 0 alone, so the sender pays two sends.
     */
    @Test
    void outputReadByTwoLaterStagesIsSentTwice() {
        long[] none = {0, 0, 0};
        List<Block> blocks = List.of(new Block(0, "b0", new long[] {10, 10, 10}, none, none),
                new Block(1, "b1", new long[] {10, 10, 10}, none, none),
                new Block(2, "b2", new long[] {10, 10, 10}, none, none),
                new Block(3, "b3", new long[] {10, 10, 10}, none, none));
        BlockLink.Output out0 = new BlockLink.Output(0, 1_000);
        List<BlockLink> links = List.of(new BlockLink(0, 1, 1_000, out0), new BlockLink(0, 3, 1_000, out0),
                BlockLink.whole(1, 2, 1), BlockLink.whole(2, 3, 1));
        // 1 GB/s: 1,000 bytes take 1,000 ns each way, 2,000 ns per round trip
        SlotLink link = new SlotLink(0, 1e9);
        List<StageSlot> stages = List.of(new StageSlot(0, "s0", Long.MAX_VALUE, link, link),
                new StageSlot(1, "s1", Long.MAX_VALUE, link, link), new StageSlot(2, "s2", Long.MAX_VALUE, link, link));
        PlacementProblem problem = new PlacementProblem(blocks, links, stages);
        Ideals ideals = Ideals.of(4, edges(problem), 100).orElseThrow();
        SplitCost cost = new SplitCost(problem, ideals);
        // {0} {1} {2,3}: stage 0 sends block 0's output to stages 1 and 2
        int[] chain = {0, index(ideals, 0), index(ideals, 0, 1), ideals.full()};
        assertThat(cost.bottleneck(chain, 3)).isEqualTo(10 + 2 * 2_000);
        IdealPartitioner.Result best = IdealPartitioner.minimizeBottleneck(ideals, 3, cost).orElseThrow();
        assertThat(best.bottleneck()).isEqualTo(bruteForce(problem)).isEqualTo(exactBottleneck(problem, best.stageOfBlock()));
    }

    /**
     * The order fallback places a DAG's blocks along their order (the ideals are the prefixes): there the program's
     * bound adds what a stage's first block receives and its last block sends to its compute, at most the stage's
     * cost and equal to it for one block, and the program still finds the best split along the order; the bound of
     * the slowest stage without placing ({@link SplitCost#leastBottleneck}) is at most the best split's.
     */
    @Test
    void boundOnPrefixesIsBelowTheCostAndKeepsTheOptimum() {
        Random random = new Random(11);
        int boundAboveMean = 0;
        int skipped = 0;
        for (int round = 0; round < 80; round++) {
            int k = 2 + random.nextInt(3);
            int n = k + random.nextInt(6);
            PlacementProblem problem = randomProblem(random, n, k, round % 2 == 1);
            Ideals prefixes = Ideals.prefixes(n);
            SplitCost cost = new SplitCost(problem, prefixes);
            for (int s = 0; s < k; s++) {
                for (int j = 1; j <= n; j++) {
                    for (int i = 0; i < j; i++) {
                        double bound = cost.lowerBound(s, i, j);
                        double exact = cost.of(s, i, j);
                        assertThat(bound).isLessThanOrEqualTo(exact);
                        if (j == i + 1) {
                            assertThat(bound).isEqualTo(exact);
                        }
                        // the program's scan starts where the bound may drop below its bar, never later
                        int first = cost.firstInner(s, j, exact);
                        for (int earlier = 0; earlier < first; earlier++) {
                            assertThat(cost.lowerBound(s, earlier, j)).isGreaterThanOrEqualTo(exact);
                        }
                        skipped += first;
                    }
                }
            }
            double best = bestAlongOrder(problem, new int[n], 0, 0);
            Optional<IdealPartitioner.Result> dp = IdealPartitioner.minimizeBottleneck(prefixes, k, cost);
            assertThat(dp.map(IdealPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY)).isEqualTo(best);
            assertThat(cost.leastBottleneck(k)).isLessThanOrEqualTo(best);
            if (dp.isPresent()) {
                assertBoundedProgram(prefixes, k, cost, dp.get());
                boundAboveMean += cost.leastBottleneck(k) > meanCompute(problem) ? 1 : 0;
            }
        }
        // the transfers at the boundaries lift the bound above the mean compute; the scan skips stages too heavy
        assertThat(boundAboveMean).isPositive();
        assertThat(skipped).isPositive();
    }

    /**
     * Given a bound, the program returns the same placement when its slowest stage is below the bound and nothing
     * when the bound is at that stage's time or below.
     */
    private static void assertBoundedProgram(Ideals ideals, int k, SplitCost cost, IdealPartitioner.Result unbounded) {
        double b = unbounded.bottleneck();
        IdealPartitioner.Result bounded = IdealPartitioner.minimizeBottleneck(ideals, k, cost, IdealPartitioner.SEARCH_NODES, b + 1)
                .orElseThrow();
        assertThat(bounded.bottleneck()).isEqualTo(b);
        assertThat(bounded.stageOfBlock()).containsExactly(unbounded.stageOfBlock());
        assertThat(IdealPartitioner.minimizeBottleneck(ideals, k, cost, IdealPartitioner.SEARCH_NODES, b)).isEmpty();
    }

    private static double meanCompute(PlacementProblem problem) {
        double total = 0;
        for (Block b : problem.blocks()) {
            total += java.util.stream.IntStream.range(0, problem.stages().size()).mapToLong(b::stageNanos).min().orElseThrow();
        }
        return total / problem.stages().size();
    }

    /** The best split of blocks {@code [b, n)} into stages {@code [s, k)}, contiguous along the order, every stage used. */
    private static double bestAlongOrder(PlacementProblem problem, int[] stageOf, int b, int s) {
        int n = stageOf.length;
        int k = problem.stages().size();
        if (b == n) {
            return s == k ? exactBottleneck(problem, stageOf) : Double.POSITIVE_INFINITY;
        }
        double best = Double.POSITIVE_INFINITY;
        // block b starts stage s (a new stage) or, when b > 0, stays on the stage of block b - 1
        if (s < k) {
            stageOf[b] = s;
            best = bestAlongOrder(problem, stageOf, b + 1, s + 1);
        }
        if (b > 0) {
            stageOf[b] = s - 1;
            best = Math.min(best, bestAlongOrder(problem, stageOf, b + 1, s));
        }
        return best;
    }

    private static int index(Ideals ideals, int... blocks) {
        for (int i = 0; i < ideals.count(); i++) {
            int size = 0;
            for (int b = 0; b < ideals.blocks(); b++) {
                size += ideals.contains(i, b) ? 1 : 0;
            }
            int found = i;
            if (size == blocks.length && java.util.Arrays.stream(blocks).allMatch(b -> ideals.contains(found, b))) {
                return i;
            }
        }
        throw new IllegalArgumentException("no ideal " + java.util.Arrays.toString(blocks));
    }

    /** The best over all k^n assignments with every stage used and no tensor going back. */
    private static double bruteForce(PlacementProblem problem) {
        int n = problem.blocks().size();
        int k = problem.stages().size();
        double best = Double.POSITIVE_INFINITY;
        int[] stageOf = new int[n];
        for (long code = 0; code < (long) Math.pow(k, n); code++) {
            long c = code;
            boolean[] used = new boolean[k];
            for (int b = 0; b < n; b++) {
                stageOf[b] = (int) (c % k);
                used[stageOf[b]] = true;
                c /= k;
            }
            boolean valid = problem.links().stream().allMatch(l -> stageOf[l.from()] <= stageOf[l.to()]);
            for (boolean u : used) {
                valid &= u;
            }
            if (valid) {
                best = Math.min(best, exactBottleneck(problem, stageOf));
            }
        }
        return best;
    }

    /**
     * The reference stage time, written from the rule and not from {@link SplitCost}: compute and all-reduce
     * of its blocks; per output and pair of stages (sender, receiver) the bytes of its links between them,
     * sent once on the sender's outbound link and received once on the receiver's inbound link; infinity over
     * memory.
     */
    static double exactBottleneck(PlacementProblem problem, int[] stageOf) {
        int k = problem.stages().size();
        long[] nanos = new long[k];
        long[] memory = new long[k];
        for (Block b : problem.blocks()) {
            nanos[stageOf[b.index()]] += b.stageNanos(stageOf[b.index()]);
            memory[stageOf[b.index()]] += b.memoryBytes()[stageOf[b.index()]];
        }
        Map<List<Integer>, Long> bytes = new java.util.TreeMap<>(java.util.Comparator.comparing(Object::toString));
        Map<Integer, BlockLink.Output> outputs = new HashMap<>();
        for (BlockLink l : problem.links()) {
            if (stageOf[l.from()] != stageOf[l.to()]) {
                bytes.merge(List.of(l.output().index(), stageOf[l.from()], stageOf[l.to()]), l.bytes(), Long::sum);
                outputs.put(l.output().index(), l.output());
            }
        }
        bytes.forEach((key, b) -> {
            long sent = outputs.get(key.get(0)).sent(b);
            nanos[key.get(1)] += problem.stages().get(key.get(1)).outbound().roundTripNanos(sent);
            nanos[key.get(2)] += problem.stages().get(key.get(2)).inbound().roundTripNanos(sent);
        });
        double worst = 0;
        for (int s = 0; s < k; s++) {
            if (memory[s] > problem.stages().get(s).capacityBytes()) {
                return Double.POSITIVE_INFINITY;
            }
            worst = Math.max(worst, nanos[s]);
        }
        return worst;
    }

    private static BendableLongScore score(PlacementProblem problem, int[] stageOf) {
        PlacementSolution solution = TimefoldPlacer.toSolution(problem);
        solution.getAssignments().forEach(a -> a.setStage(problem.stages().get(stageOf[a.getId()])));
        return SCORES.update(solution);
    }

    /** Random blocks; each block's output is read by 0-3 later blocks (whole or a part); random links and limits. */
    static PlacementProblem randomProblem(Random random, int n, int k, boolean memoryLimited) {
        List<Block> blocks = new ArrayList<>();
        long totalMemory = 0;
        for (int b = 0; b < n; b++) {
            long[] compute = new long[k];
            long[] allReduce = new long[k];
            long[] memory = new long[k];
            long bytes = 1 + random.nextInt(50);
            for (int s = 0; s < k; s++) {
                compute[s] = (1 + random.nextInt(100)) * (s % 2 + 1);
                allReduce[s] = random.nextInt(10);
                memory[s] = bytes;
            }
            totalMemory += bytes;
            blocks.add(new Block(b, "b" + b, compute, allReduce, memory));
        }
        List<BlockLink> links = new ArrayList<>();
        for (int b = 0; b + 1 < n; b++) {
            long outputBytes = random.nextInt(2_000);
            BlockLink.Output output = new BlockLink.Output(b, outputBytes);
            int readers = random.nextInt(4);
            for (int to = b + 1; to < n && readers > 0; to++) {
                if (random.nextInt(n - b) < 2) {
                    links.add(new BlockLink(b, to, random.nextBoolean() ? outputBytes : outputBytes / 2, output));
                    readers--;
                }
            }
        }
        List<StageSlot> stages = new ArrayList<>();
        for (int s = 0; s < k; s++) {
            long capacity = memoryLimited ? totalMemory * (30 + random.nextInt(50)) / 100 : Long.MAX_VALUE;
            stages.add(new StageSlot(s, "s" + s, capacity, new SlotLink(random.nextInt(5), 1e9 * (1 + random.nextInt(4))),
                    new SlotLink(random.nextInt(5), 1e9 * (1 + random.nextInt(4)))));
        }
        return new PlacementProblem(blocks, links, stages);
    }

    static List<int[]> edges(PlacementProblem problem) {
        return problem.links().stream().map(l -> new int[] {l.from(), l.to()}).toList();
    }

}
