package org.modelpar.cli.report;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.modelpar.simulator.plan.Explanation;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Prediction;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Everything the report shows.
 *
 * @param plan          the plan
 * @param predicted     the plan's stored prediction, if any
 * @param explanation   why the plan was chosen, and the runner-ups
 * @param simulated     the simulated step
 * @param measured      a measured step, if there is one
 * @param capacityBytes memory capacity per device id
 */
public record ReportInput(PlacementPlan plan, Optional<Prediction> predicted, Explanation explanation,
                          Timeline simulated, Optional<Timeline> measured, Map<String, Long> capacityBytes) {
    public ReportInput {
        capacityBytes = Collections.unmodifiableMap(new TreeMap<>(capacityBytes));
    }
}
