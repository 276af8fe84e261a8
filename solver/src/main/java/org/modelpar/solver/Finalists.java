package org.modelpar.solver;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of the placed configurations the {@link Planner} simulates: in order of estimated step (ties in the order
 * placed), the first {@link Planner#SIMULATED} of distinct {@link Configuration#finalistShape shapes}.
 */
final class Finalists {
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
            if (shapes.add(e.configuration().finalistShape()) && shapes.size() == Planner.SIMULATED) {
                return e.stepSeconds();
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
