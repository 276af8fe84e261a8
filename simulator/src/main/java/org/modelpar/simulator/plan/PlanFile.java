package org.modelpar.simulator.plan;

import java.util.List;
import java.util.Optional;

/**
 * The contents of a {@code modelpar-plan/1} file: the plan, what was predicted for it, and why it was chosen.
 *
 * @param plan           the plan
 * @param predicted      the simulator's prediction, if any
 * @param computeSeconds per stage, forward + backward seconds of one micro-batch on its device group;
 *                       empty, or one entry per stage
 * @param explanation    why the plan was chosen
 */
public record PlanFile(PlacementPlan plan, Optional<Prediction> predicted, List<Double> computeSeconds,
                       Explanation explanation) {
    public PlanFile {
        if (plan == null) {
            throw new PlanException("plan file needs a plan");
        }
        predicted = predicted == null ? Optional.empty() : predicted;
        computeSeconds = computeSeconds == null ? List.of() : List.copyOf(computeSeconds);
        if (!computeSeconds.isEmpty() && computeSeconds.size() != plan.pipelineStages()) {
            throw new PlanException("computeSeconds has " + computeSeconds.size() + " entries for "
                    + plan.pipelineStages() + " stages");
        }
        explanation = explanation == null ? Explanation.none() : explanation;
    }

    /** A plan alone: no prediction, no stage times, no explanation. */
    public static PlanFile of(PlacementPlan plan) {
        return new PlanFile(plan, Optional.empty(), List.of(), Explanation.none());
    }
}
