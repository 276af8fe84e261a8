package org.modelpar.cli;

import java.nio.file.Path;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.io.GraphFormat;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.graph.io.GraphReader;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.PlacementPlan;
import picocli.CommandLine.Option;

/**
 * Finds the graph a plan file was made for ({@code @Mixin} for commands that take {@code --plan}): the
 * built-in model the plan names, or {@code --model M} / {@code --graph FILE} when given. A graph whose
 * content hash differs from the plan's is refused.
 */
public final class PlanGraphOptions {
    @Option(names = "--model", paramLabel = "M", description = "Built-in model of the plan (default: the model the plan names).")
    String model;

    @Option(names = "--graph", paramLabel = "FILE", description = "Graph file of the plan, for plans of imported graphs.")
    Path graph;

    /** The plan's graph; exit 2 when it cannot be found or differs from the one the plan was made for. */
    public ComputationGraph resolve(PlacementPlan plan) {
        ComputationGraph g;
        if (graph != null) {
            g = GraphReader.read(graph, GraphFormat.guess(graph));
        } else {
            String name = model != null ? model : plan.graphName();
            try {
                g = ModelZoo.build(name);
            } catch (GraphException e) {
                if (model != null) {
                    throw e;
                }
                throw new CliInputException("the plan's graph '" + name + "' is not a built-in model; pass --graph FILE (or --model M)");
            }
        }
        String hash = GraphJson.contentHash(g);
        if (!plan.graphHash().isEmpty() && !plan.graphHash().equals(hash)) {
            throw new CliInputException("graph '" + g.name() + "' has content hash " + hash + " but the plan was made for graph '"
                    + plan.graphName() + "' with hash " + plan.graphHash());
        }
        return g;
    }
}
