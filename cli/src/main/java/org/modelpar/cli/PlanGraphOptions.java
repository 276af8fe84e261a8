package org.modelpar.cli;

import java.nio.file.Path;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.PlacementPlan;
import picocli.CommandLine.Option;

/**
 * {@code --model M} / {@code --graph FILE} for commands that read a plan and use {@code --format} for
 * something else ({@code export}), so they cannot take {@link GraphOptions} whole; resolution, defaults and
 * errors are {@link GraphOptions#loadFor(Path, PlacementPlan)}'s.
 */
public final class PlanGraphOptions {
    @Option(names = "--model", paramLabel = "M", description = "Built-in model of the plan (default: the model the plan names).")
    String model;

    @Option(names = "--graph", paramLabel = "FILE", description = "Graph file of the plan, for plans of imported graphs.")
    Path graph;

    /** The plan's graph; exit 2 when it cannot be found or differs from the one the plan was made for. */
    public ComputationGraph resolve(Path planFile, PlacementPlan plan) {
        return GraphOptions.of(model, graph).loadFor(planFile, plan);
    }
}
