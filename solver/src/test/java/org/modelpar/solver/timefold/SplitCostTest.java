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
 * reference: every assignment of blocks to p ordered stages that respects the DAG, scored the same way,
 * on seeded random problems with outputs read by several blocks, per-stage links and memory limits.
 */
class SplitCostTest {
    private static final SolutionManager<PlacementSolution, BendableLongScore> SCORES = SolutionManager.create(
            SolverFactory.create(new SolverConfig().withSolutionClass(PlacementSolution.class)
                    .withEntityClasses(BlockAssignment.class).withConstraintProviderClass(PlacementConstraints.class)));

    @Test
    void dynamicProgramEqualsExhaustiveSearch() {
        Random random = new Random(5);
        int infeasible = 0;
        for (int round = 0; round < 120; round++) {
            int k = 2 + random.nextInt(3);
            int n = k + random.nextInt(k == 4 ? 4 : 6);
            PlacementProblem problem = randomProblem(random, n, k, round % 2 == 1);
            Ideals ideals = Ideals.of(n, edges(problem), 1 << 12).orElseThrow();
            SplitCost cost = new SplitCost(problem, ideals);
            Optional<IdealPartitioner.Result> dp = IdealPartitioner.minimizeBottleneck(ideals, k, cost);
            double brute = bruteForce(problem, ideals, cost);
            assertThat(dp.map(IdealPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY))
                    .as("round %d: %d blocks, %d stages", round, n, k).isEqualTo(brute);
            if (dp.isEmpty()) {
                infeasible++;
                continue;
            }
            // Timefold scores the DP's placement with the same time
            BendableLongScore score = score(problem, dp.get().stageOfBlock());
            assertThat(score.isFeasible()).isTrue();
            assertThat((double) -score.softScore(0)).isEqualTo(dp.get().bottleneck());
        }
        assertThat(infeasible).isBetween(1, 60);
    }

    /** The best over all k^n assignments with every stage used and no tensor going back. */
    private static double bruteForce(PlacementProblem problem, Ideals ideals, SplitCost cost) {
        int n = problem.blocks().size();
        int k = problem.stages().size();
        Map<Long, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < ideals.count(); i++) {
            indexOf.put(mask(ideals, i, n), i);
        }
        double best = Double.POSITIVE_INFINITY;
        int[] stageOf = new int[n];
        for (long code = 0; code < (long) Math.pow(k, n); code++) {
            long c = code;
            for (int b = 0; b < n; b++) {
                stageOf[b] = (int) (c % k);
                c /= k;
            }
            boolean valid = problem.links().stream().allMatch(l -> stageOf[l.from()] <= stageOf[l.to()]);
            double worst = 0;
            long before = 0;
            for (int s = 0; s < k && valid; s++) {
                long upTo = before;
                for (int b = 0; b < n; b++) {
                    if (stageOf[b] == s) {
                        upTo |= 1L << b;
                    }
                }
                valid = upTo != before;
                if (valid) {
                    worst = Math.max(worst, cost.of(s, indexOf.get(before), indexOf.get(upTo)));
                }
                before = upTo;
            }
            if (valid) {
                best = Math.min(best, worst);
            }
        }
        return best;
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

    private static long mask(Ideals ideals, int ideal, int n) {
        long m = 0;
        for (int b = 0; b < n; b++) {
            if (ideals.contains(ideal, b)) {
                m |= 1L << b;
            }
        }
        return m;
    }
}
