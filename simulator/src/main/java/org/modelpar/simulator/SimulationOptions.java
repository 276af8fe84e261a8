package org.modelpar.simulator;

import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.RooflineCostModel;

/**
 * How to simulate.
 *
 * @param costModel prices ops, transfers and collectives
 * @param trace     whether to keep the timeline (instruction times and memory changes) for a trace
 */
public record SimulationOptions(CostModel costModel, boolean trace) {
    public SimulationOptions {
        if (costModel == null) {
            throw new IllegalArgumentException("costModel is required");
        }
    }

    /** The roofline cost model, no trace. */
    public static SimulationOptions defaults() {
        return new SimulationOptions(new RooflineCostModel(), false);
    }

    public SimulationOptions withTrace(boolean on) {
        return new SimulationOptions(costModel, on);
    }

    public SimulationOptions withCostModel(CostModel model) {
        return new SimulationOptions(model, trace);
    }
}
