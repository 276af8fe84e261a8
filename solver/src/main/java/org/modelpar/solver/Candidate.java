package org.modelpar.solver;

import java.util.Optional;
import java.util.List;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.solver.timefold.TimefoldPlacer;

/**
 * A configuration after placement and simulation.
 *
 * @param configuration   the configuration
 * @param plan            the placed plan
 * @param report          the simulator's report
 * @param overflow        when it does not fit: the device and the bytes over its limit (capacity minus margin)
 * @param estimate        the configuration as the dynamic program placed and ranked it
 * @param stageOfBlock    the placement: stage per block
 */
record Candidate(Configuration configuration, PlacementPlan plan, SimulationReport report,
                 Optional<Overflow> overflow, Estimate estimate,
                 int[] stageOfBlock) {
    /** The worst device over its limit. */
    record Overflow(String device, long bytesOver, long neededBytes, long limitBytes) {
    }

    /**
     * The configuration's label with the recompute modes its stages took when recomputation is allowed (one
     * name when all agree, else per stage) and the plan options that are on, e.g.
     * {@code pp=2 tp=8 dp=4 mb=32 m=16 1f1b recompute full+none sequence-parallel zero-1} (the expert degree, as
     * {@code ep=4}, is the configuration's).
     */
    String label() {
        return label(configuration, plan);
    }

    /** {@link #label()} of the configuration placed as the plan, before or without simulating it. */
    static String label(Configuration configuration, PlacementPlan plan) {
        List<String> modes = plan.stages().stream().map(s -> s.recomputation().jsonName()).toList();
        String recompute = !configuration.recompute() ? ""
                : " recompute " + (modes.stream().distinct().count() == 1 ? modes.get(0) : String.join("+", modes));
        return configuration.label(recompute) + (plan.options().sequenceParallel() ? " sequence-parallel" : "")
                + (plan.options().overlapGradientReduce() ? " overlap-grad-reduce" : "")
                + (plan.options().zeroStage() > 0 ? " zero-" + plan.options().zeroStage() : "");
    }

    /**
     * Timefold's score analysis of the placement, one line per constraint. Computed on demand (it builds
     * Timefold's constraint network), for the plan that is explained only.
     */
    List<String> constraints() {
        return TimefoldPlacer.analyze(estimate.problem(), stageOfBlock);
    }

    boolean fits() {
        return overflow.isEmpty();
    }

    double stepSeconds() {
        return report.stepSeconds();
    }
}
