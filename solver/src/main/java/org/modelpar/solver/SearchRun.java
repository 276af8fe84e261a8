package org.modelpar.solver;

import java.util.Optional;
import org.modelpar.simulator.plan.PlacementPlan;

/**
 * What every search of one {@link Planner#plan} call shares (at each ZeRO stage, with and without expert parallelism):
 * the blocks and their prices, the deadline, the progress listener and the earlier plan to start from.
 */
record SearchRun(SharedBlocks blocks, Deadline deadline, SearchProgress progress, Optional<PlacementPlan> startFrom) {
}
