package org.modelpar.workflow;

import java.nio.file.Path;
import java.util.Optional;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.solver.PlanResult;

/**
 * What {@link Workflow#run} found.
 *
 * @param profile    the machine profile written by this run (local workers without one), if any
 * @param cluster    the cluster planned on (re-read from the new profile when one was written)
 * @param opTimes    the graph planned from and where its op times come from
 * @param planned    the search's result; its best plan was written to the request's plan file
 * @param simulation the best plan simulated from the profile (roofline or measured op times), once
 * @param trained    on local workers: the training run and its comparison with the calibrated prediction
 */
public record RunResult(Optional<Path> profile, ClusterSpec cluster, ModelTimes.OpTimes opTimes, PlanResult planned,
                        SimulationReport simulation, Optional<TrainAndCompare.Outcome> trained) {
}
