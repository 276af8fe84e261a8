package org.modelpar.solver;

import java.util.List;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.plan.PlanFile;

/**
 * The outcome of a search.
 *
 * @param best                 the chosen plan with its prediction, stage times and explanation
 * @param report               the simulator's report of the chosen plan
 * @param runnerUps            the next-best configurations (also in the explanation), best first
 * @param configurationsTried  configurations considered (enumerated before a time limit fired)
 * @param configurationsPlaced configurations placed by the dynamic program (the others pruned by the lower bound)
 * @param configurationsSimulated configurations simulated
 * @param searchSeconds        wall-clock seconds of the search (not part of the plan file)
 * @param completed            false when a time limit fired and skipped part of the search (the explanation says which)
 * @param unsplit              the least memory of the whole model on one device, against the most a device offers
 */
public record PlanResult(PlanFile best, SimulationReport report, List<PlanFile> runnerUps, int configurationsTried,
                         int configurationsPlaced, int configurationsSimulated, double searchSeconds,
                         boolean completed, UnsplitMemory unsplit) {
    public PlanResult {
        runnerUps = List.copyOf(runnerUps);
    }
}
