package org.modelpar.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/**
 * The search dimensions two simulated candidates differ in (pipeline, tensor, data and expert-parallel degrees,
 * replicas per stage, micro-batch size, schedule, interleaving (model chunks per device group), recompute modes,
 * sequence parallelism, gradient-reduce overlap, ZeRO stage, and the placement when nothing else differs), and which
 * of them decided the winner.
 */
final class Dimensions {
    /** Runner-ups closer than this (percent of the step) are a tie, not a decision. */
    private static final double TIE_PERCENT = 0.05;

    /** One dimension of the search, with its name in explanations. */
    enum Dimension {
        PIPELINE("pipeline degree"), TENSOR("tensor degree"), DATA("data degree"), EXPERT("expert-parallel degree"),
        REPLICAS("replicas per stage"), MICRO_BATCH("micro-batch size"), SCHEDULE("schedule"),
        INTERLEAVING("interleaving (model chunks per device group)"), RECOMPUTE("recompute"),
        SEQUENCE_PARALLEL("sequence parallelism"), OVERLAP("gradient-reduce overlap"), ZERO("ZeRO stage"),
        PLACEMENT("placement");

        private final String words;

        Dimension(String words) {
            this.words = words;
        }

        /** Whether it is a plan option, tried on the winner's own placement. */
        boolean planOption() {
            return this == SEQUENCE_PARALLEL || this == OVERLAP || this == ZERO;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    private Dimensions() {
    }

    /** The dimensions in which {@code b} differs from {@code a}, in the order above; empty when none. */
    static List<Dimension> differing(Candidate a, Candidate b) {
        Configuration x = a.configuration();
        Configuration y = b.configuration();
        List<Dimension> out = new ArrayList<>();
        add(out, x.pipeline() != y.pipeline(), Dimension.PIPELINE);
        add(out, x.tensor() != y.tensor(), Dimension.TENSOR);
        add(out, x.data() != y.data(), Dimension.DATA);
        add(out, x.expertParallel() != y.expertParallel(), Dimension.EXPERT);
        add(out, x.pipeline() == y.pipeline() && x.data() == y.data() && !replicas(x).equals(replicas(y)), Dimension.REPLICAS);
        add(out, x.microBatchSize() != y.microBatchSize(), Dimension.MICRO_BATCH);
        add(out, withoutChunks(x.schedule()) != withoutChunks(y.schedule()), Dimension.SCHEDULE);
        add(out, x.virtualStages() != y.virtualStages(), Dimension.INTERLEAVING);
        boolean perStage = x.stages() == y.stages();
        add(out, !modes(a, perStage).equals(modes(b, perStage)), Dimension.RECOMPUTE);
        add(out, a.plan().options().sequenceParallel() != b.plan().options().sequenceParallel(), Dimension.SEQUENCE_PARALLEL);
        add(out, a.plan().options().overlapGradientReduce() != b.plan().options().overlapGradientReduce(), Dimension.OVERLAP);
        add(out, a.plan().options().zeroStage() != b.plan().options().zeroStage(), Dimension.ZERO);
        add(out, out.isEmpty() && !Arrays.equals(a.stageOfBlock(), b.stageOfBlock()), Dimension.PLACEMENT);
        return out;
    }

    /** Whether {@code b} is {@code a}'s placement with other plan options only (sequence parallelism, overlap, ZeRO stage). */
    static boolean onlyPlanOptions(Candidate a, Candidate b) {
        List<Dimension> d = differing(a, b);
        return !d.isEmpty() && d.stream().allMatch(Dimension::planOption);
    }

    /** The dimensions b differs in, in words. */
    static String words(List<Dimension> dimensions) {
        return String.join(", ", dimensions.stream().map(Dimension::toString).toList());
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
        List<String> lowerZero = others.stream().filter(c -> !c.fits() && differing(best, c).equals(List.of(Dimension.ZERO))
                        && c.plan().options().zeroStage() < best.plan().options().zeroStage())
                .map(c -> String.valueOf(c.plan().options().zeroStage())).toList();
        String zeroNeeded = lowerZero.isEmpty() ? "" : String.format("%s %d (the only way to fit: with stage %s it does not fit)",
                Dimension.ZERO, best.plan().options().zeroStage(), String.join(" or ", lowerZero));
        if (fitting.isEmpty()) {
            return zeroNeeded.isEmpty() ? Optional.empty() : Optional.of("decided by: " + zeroNeeded);
        }
        Candidate closest = fitting.get(0);
        double margin = slower(best, closest);
        StringBuilder line = new StringBuilder(String.format("decided by: %s%s (the closest runner-up, %s, %s)",
                zeroNeeded.isEmpty() ? "" : zeroNeeded + "; ", words(differing(best, closest)), closest.label(),
                margin < TIE_PERCENT ? String.format("is as fast to within %.2f%%: a tie", TIE_PERCENT)
                        : String.format("is %.1f%% slower", margin)));
        List<String> alone = new ArrayList<>();
        List<Dimension> seen = new ArrayList<>();
        for (Candidate c : fitting) {
            List<Dimension> d = differing(best, c);
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

    private static void add(List<Dimension> out, boolean differs, Dimension dimension) {
        if (differs) {
            out.add(dimension);
        }
    }

    /** The schedule interleaving runs on (1F1B for {@code interleaved}), so that only the chunks count as interleaving. */
    private static Schedule withoutChunks(Schedule s) {
        return s.interleaves() ? Schedule.ONE_F_ONE_B : s;
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
