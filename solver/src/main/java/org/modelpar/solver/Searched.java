package org.modelpar.solver;

import java.util.ArrayList;
import java.util.List;

/**
 * What one search simulated, fastest fitting first, with what did not fit the dynamic program.
 *
 * @param simulated the simulated candidates in {@link Planner#CANDIDATE_ORDER}
 * @param pruned    candidates a lower bound showed could not win, not simulated
 * @param needs     configurations that fit no placement, with the memory they need
 * @param counts    configurations considered and placed, and how
 * @param completed whether the time limit left every configuration considered
 */
record Searched(List<Candidate> simulated, List<Pruned> pruned, List<MemoryNeed> needs, Explainer.Counts counts, boolean completed) {
    Candidate best() {
        return simulated.get(0);
    }

    /** Both searches' candidates in one ranking. */
    Searched and(Searched other) {
        List<Candidate> all = new ArrayList<>(simulated);
        all.addAll(other.simulated);
        all.sort(Planner.CANDIDATE_ORDER);
        List<Pruned> allPruned = new ArrayList<>(pruned);
        allPruned.addAll(other.pruned);
        List<MemoryNeed> allNeeds = new ArrayList<>(needs);
        allNeeds.addAll(other.needs);
        return new Searched(all, allPruned, allNeeds, new Explainer.Counts(counts.considered() + other.counts.considered(),
                counts.placed() + other.counts.placed(), counts.placement()), completed && other.completed);
    }
}
