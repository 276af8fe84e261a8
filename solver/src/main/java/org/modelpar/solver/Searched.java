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
 * @param skipped   what the time limit left unsearched, in words ({@link Deadline}); empty when it did not fire
 */
record Searched(List<Candidate> simulated, List<Pruned> pruned, List<MemoryNeed> needs, Explainer.Counts counts,
                List<String> skipped) {
    Searched {
        skipped = List.copyOf(skipped);
    }

    Candidate best() {
        return simulated.get(0);
    }

    /** Whether the search ran to the end: no time limit fired. */
    boolean completed() {
        return skipped.isEmpty();
    }

    /** This search, with {@code what} also left unsearched by the time limit. */
    Searched skipping(String what) {
        List<String> all = new ArrayList<>(skipped);
        all.add(what);
        return new Searched(simulated, pruned, needs, counts, all);
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
        List<String> allSkipped = new ArrayList<>(skipped);
        allSkipped.addAll(other.skipped);
        return new Searched(all, allPruned, allNeeds, new Explainer.Counts(counts.considered() + other.counts.considered(),
                counts.placed() + other.counts.placed(), counts.placement()), allSkipped);
    }
}
