package org.modelpar.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Stage;

/**
 * The search dimensions two simulated candidates differ in (pipeline, tensor and data degrees, replicas per
 * stage, micro-batch size, schedule, recompute modes, sequence parallelism, gradient-reduce overlap, and
 * the placement when nothing else differs), and which of them decided the winner.
 */
final class Dimensions {
    private Dimensions() {
    }

    /** The dimensions in which {@code b} differs from {@code a}, in the order above; empty when none. */
    static List<String> differing(Candidate a, Candidate b) {
        Configuration x = a.configuration();
        Configuration y = b.configuration();
        List<String> out = new ArrayList<>();
        add(out, x.pipeline() != y.pipeline(), "pipeline degree");
        add(out, x.tensor() != y.tensor(), "tensor degree");
        add(out, x.data() != y.data(), "data degree");
        add(out, x.pipeline() == y.pipeline() && x.data() == y.data() && !replicas(x).equals(replicas(y)), "replicas per stage");
        add(out, x.microBatchSize() != y.microBatchSize(), "micro-batch size");
        add(out, x.schedule() != y.schedule(), "schedule");
        boolean perStage = x.pipeline() == y.pipeline();
        add(out, !modes(a, perStage).equals(modes(b, perStage)), "recompute");
        add(out, a.plan().options().sequenceParallel() != b.plan().options().sequenceParallel(), "sequence parallelism");
        add(out, a.plan().options().overlapGradientReduce() != b.plan().options().overlapGradientReduce(),
                "gradient-reduce overlap");
        add(out, out.isEmpty() && !Arrays.equals(a.stageOfBlock(), b.stageOfBlock()), "placement");
        return out;
    }

    /** Whether {@code b} is {@code a}'s placement with other plan options only (sequence parallelism, overlap). */
    static boolean onlyPlanOptions(Candidate a, Candidate b) {
        List<String> d = differing(a, b);
        return !d.isEmpty() && List.of("sequence parallelism", "gradient-reduce overlap").containsAll(d);
    }

    /**
     * What decided the winner: the dimensions in which the closest fitting runner-up differs and what it
     * lost by, then for each single dimension the fastest runner-up that differs in it alone; empty when no
     * fitting runner-up was simulated.
     *
     * @param others the other simulated candidates, fastest first
     */
    static Optional<String> decided(Candidate best, List<Candidate> others) {
        List<Candidate> fitting = others.stream().filter(Candidate::fits).toList();
        if (fitting.isEmpty()) {
            return Optional.empty();
        }
        Candidate closest = fitting.get(0);
        StringBuilder line = new StringBuilder(String.format("decided by: %s (the closest runner-up, %s, is %.1f%% slower)",
                String.join(", ", differing(best, closest)), closest.label(), slower(best, closest)));
        List<String> alone = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Candidate c : fitting) {
            List<String> d = differing(best, c);
            if (d.size() == 1 && !seen.contains(d.get(0))) {
                seen.add(d.get(0));
                alone.add(String.format("%s %.1f%%", d.get(0), slower(best, c)));
            }
        }
        if (!alone.isEmpty()) {
            line.append("; changing one dimension alone costs: ").append(String.join(", ", alone));
        }
        return Optional.of(line.toString());
    }

    private static double slower(Candidate best, Candidate c) {
        return (c.stepSeconds() / best.stepSeconds() - 1) * 100;
    }

    private static void add(List<String> out, boolean differs, String name) {
        if (differs) {
            out.add(name);
        }
    }

    private static List<Integer> replicas(Configuration c) {
        return IntStream.range(0, c.pipeline()).map(c::replicasOf).boxed().toList();
    }

    /** The modes per stage, or the set of modes used when the pipeline degrees differ. */
    private static List<Recompute> modes(Candidate c, boolean perStage) {
        List<Recompute> modes = c.plan().stages().stream().map(Stage::recomputation).toList();
        return perStage ? modes : modes.stream().distinct().sorted().toList();
    }
}
