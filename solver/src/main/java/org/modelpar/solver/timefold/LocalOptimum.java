package org.modelpar.solver.timefold;

/**
 * Whether a placement is a strict local optimum of the moves Timefold's search scores: every change move (one block
 * to another stage) and swap move (two blocks on different stages trade stages) that keeps every tensor going to the
 * same or a later stage ({@link StageOrderFilter}) scores worse ({@link PlacementScore}). Late acceptance accepts a
 * move only when it scores at least as well as the current placement or the one a fixed number of steps back, all of
 * them the start until a step is taken, so from such a start the search never takes a step and returns the start
 * after its whole move budget; the placer then returns it at once. Enumerates the moves, O(n^2 (n + links)) at
 * worst, and stops at the first that scores no worse.
 */
final class LocalOptimum {
    private LocalOptimum() {
    }

    static boolean isStrict(PlacementProblem problem, int[] stageOf) {
        StageOrder order = new StageOrder(stageOf.length, problem.links());
        PlacementScore start = PlacementScore.of(problem, stageOf);
        int[] moved = stageOf.clone();
        for (int b = 0; b < stageOf.length; b++) {
            for (int s = 0; s < problem.stages().size(); s++) {
                if (s != stageOf[b] && order.keeps(stageOf, b, s, -1, -1)) {
                    moved[b] = s;
                    boolean noWorse = PlacementScore.of(problem, moved).noWorseThan(start);
                    moved[b] = stageOf[b];
                    if (noWorse) {
                        return false;
                    }
                }
            }
        }
        for (int a = 0; a < stageOf.length; a++) {
            for (int b = a + 1; b < stageOf.length; b++) {
                if (stageOf[a] != stageOf[b] && order.keeps(stageOf, a, stageOf[b], b, stageOf[a])
                        && order.keeps(stageOf, b, stageOf[a], a, stageOf[b])) {
                    moved[a] = stageOf[b];
                    moved[b] = stageOf[a];
                    boolean noWorse = PlacementScore.of(problem, moved).noWorseThan(start);
                    moved[a] = stageOf[a];
                    moved[b] = stageOf[b];
                    if (noWorse) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
