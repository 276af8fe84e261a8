package org.modelpar.cli.report;

import java.util.Collections;
import java.util.List;
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
 * @param measured      a measured run (every step it traced), if there is one; the report draws its last step
 * @param capacityBytes memory capacity per device id
 * @param speed         the simulated step's throughput figures, if known
 * @param layers        the model's layers in the plan, in graph order (none: no layer table)
 * @param losses        the loss of every step of a training run (none: no loss curve)
 * @param nodeOf        the node of each device id (for communication inside and between nodes)
 */
public record ReportInput(PlacementPlan plan, Optional<Prediction> predicted, Explanation explanation,
                          Timeline simulated, Optional<Timeline> measured, Map<String, Long> capacityBytes,
                          Optional<Speed> speed, List<LayerRow> layers, List<Double> losses, Map<String, String> nodeOf) {
    public ReportInput {
        capacityBytes = Collections.unmodifiableMap(new TreeMap<>(capacityBytes));
        layers = List.copyOf(layers);
        losses = List.copyOf(losses);
        nodeOf = Collections.unmodifiableMap(new TreeMap<>(nodeOf));
    }

    /** A report of the plan and its steps alone: no speed figures, layer table, loss curve or nodes. */
    public ReportInput(PlacementPlan plan, Optional<Prediction> predicted, Explanation explanation, Timeline simulated,
                       Optional<Timeline> measured, Map<String, Long> capacityBytes) {
        this(plan, predicted, explanation, simulated, measured, capacityBytes, Optional.empty(), List.of(), List.of(), Map.of());
    }

    /** The last measured step, the one the report draws. */
    public Optional<Timeline> measuredStep() {
        return measured.map(Timeline::lastStep);
    }
}
