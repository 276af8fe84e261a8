package org.modelpar.solver;

/**
 * A candidate the search did not simulate because a lower bound of its step was not below the best simulated step
 * that fits: it could not have won (a tie keeps the candidate simulated first).
 *
 * @param label        the candidate's label (as {@link Candidate#label()} would give it)
 * @param boundSeconds the lower bound of its simulated step
 * @param bestSeconds  the best simulated step it was compared with
 * @param why          where the bound comes from
 */
record Pruned(String label, double boundSeconds, double bestSeconds, String why) {
    /** The explanation's line, e.g. {@code pruned: pp=2 ... zero-3: lower bound 38.1000 s ≥ best 15.6321 s (...)}. */
    String line() {
        return String.format("pruned: %s: lower bound %.4f s ≥ best %.4f s (%s)", label, boundSeconds, bestSeconds, why);
    }
}
