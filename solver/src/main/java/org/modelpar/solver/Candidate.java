package org.modelpar.solver;

import java.util.Optional;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.plan.PlacementPlan;

/**
 * A configuration after placement and simulation.
 *
 * @param configuration   the configuration
 * @param plan            the placed plan
 * @param report          the simulator's report
 * @param overflow        when it does not fit: the device and the bytes over its limit (capacity minus margin)
 * @param constraints     Timefold's score analysis of the placement, one line per constraint
 */
record Candidate(Configuration configuration, PlacementPlan plan, SimulationReport report,
                 Optional<Overflow> overflow, java.util.List<String> constraints) {
    /** The worst device over its limit. */
    record Overflow(String device, long bytesOver, long neededBytes, long limitBytes) {
    }

    boolean fits() {
        return overflow.isEmpty();
    }

    double stepSeconds() {
        return report.stepSeconds();
    }
}
