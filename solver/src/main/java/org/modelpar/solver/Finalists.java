package org.modelpar.solver;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which of the placed configurations the {@link Planner} simulates: in order of estimated step (ties in the order
 * placed), the first {@link #SIMULATED} of distinct {@link Configuration#finalistShape shapes}, and their simulation.
 */
final class Finalists {
    /** Configurations simulated after the analytical ranking. */
    static final int SIMULATED = 4;

    private Finalists() {
    }

    /**
     * The estimated step a configuration placed now must be below to be among the finalists however the search
     * goes on: the estimate of the last finalist so far, infinite while there are fewer. Placing more only adds
     * estimates, so that last finalist's estimate only decreases; an estimate equal to it sorts after it.
     *
     * @param placed the estimates so far, in the order placed
     */
    static double cutoffSeconds(List<Estimate> placed) {
        List<Estimate> sorted = new ArrayList<>(placed);
        sorted.sort(Estimate.ORDER);
        Set<String> shapes = new HashSet<>();
        for (Estimate e : sorted) {
            if (shapes.add(e.configuration().finalistShape()) && shapes.size() == SIMULATED) {
                return e.stepSeconds();
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /**
     * Simulates the finalists among {@code fitting} (sorted by {@link Estimate#ORDER}): the first is placed again by
     * Timefold when {@code refines} ({@link StagePlacer#refineWithTimefold}, not once the deadline has passed), each
     * other is simulated unless its lower bound is not below the best simulated step that fits so far
     * ({@link OptionSearch#simulatedUnlessPruned}, which adds it to {@code pruned}). Once the deadline has passed and
     * one fits, the rest are not simulated; {@code skipped} says what was not done.
     *
     * @return the simulated candidates, in the order simulated
     */
    static List<Candidate> simulate(List<Estimate> fitting, CandidateBuilder candidates, OptionSearch options,
                                    boolean refines, Deadline deadline, List<Pruned> pruned, List<String> skipped) {
        List<Candidate> simulated = new ArrayList<>();
        Set<String> shapes = new HashSet<>();
        List<String> unsimulated = new ArrayList<>();
        int before = pruned.size();
        double bestSeconds = Double.POSITIVE_INFINITY;
        for (Estimate e : fitting) {
            Configuration c = e.configuration();
            if (simulated.size() + pruned.size() - before + unsimulated.size() == SIMULATED || !shapes.add(c.finalistShape())) {
                continue;
            }
            if (!simulated.isEmpty() && simulated.get(0).fits() && deadline.expired()) {
                unsimulated.add(c.label());
                continue;
            }
            if (simulated.isEmpty()) {
                boolean late = refines && deadline.expired();
                if (late) {
                    skipped.add("Timefold's refinement of " + c.label());
                }
                simulated.add(candidates.place(e, refines && !late));
            } else {
                Optional<Candidate> next = options.simulatedUnlessPruned(e, candidates.planned(e), bestSeconds, pruned);
                next.ifPresent(simulated::add);
            }
            Candidate last = simulated.get(simulated.size() - 1);
            bestSeconds = last.fits() ? Math.min(bestSeconds, last.stepSeconds()) : bestSeconds;
        }
        if (!unsimulated.isEmpty()) {
            skipped.add("simulating the finalists " + String.join(", ", unsimulated));
        }
        return simulated;
    }
}
