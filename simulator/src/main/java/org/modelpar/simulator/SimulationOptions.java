package org.modelpar.simulator;

import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.DurationNoise;
import org.modelpar.simulator.cost.RooflineCostModel;

/**
 * How to simulate.
 *
 * @param costModel prices ops, transfers and collectives
 * @param trace     whether to keep the timeline (instruction times and memory changes) for a trace
 * @param noise     how each compute instruction's duration varies about its price ({@link DurationNoise#NONE}: not)
 */
public record SimulationOptions(CostModel costModel, boolean trace, DurationNoise noise) {
    public SimulationOptions {
        if (costModel == null || noise == null) {
            throw new IllegalArgumentException("costModel and noise are required");
        }
    }

    /** The roofline cost model, no trace. */
    public static SimulationOptions defaults() {
        return new SimulationOptions(new RooflineCostModel(), false, DurationNoise.NONE);
    }

    public SimulationOptions withTrace(boolean on) {
        return new SimulationOptions(costModel, on, noise);
    }

    public SimulationOptions withCostModel(CostModel model) {
        return new SimulationOptions(model, trace, noise);
    }

    public SimulationOptions withNoise(DurationNoise durations) {
        return new SimulationOptions(costModel, trace, durations);
    }
}
