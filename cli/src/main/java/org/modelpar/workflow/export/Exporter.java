package org.modelpar.workflow.export;

import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.PlacementPlan;

/** Facade: renders a plan for a framework. */
public final class Exporter {
    private Exporter() {
    }

    /**
     * Renders the plan in the framework's terms.
     *
     * @throws ExportException when the plan cannot be expressed (a stage boundary cuts a
     *                                            layer, stages differ in data-parallel degree, or a Megatron
     *                                            export of a graph that is not a GPT-style decoder)
     */
    public static Export export(ComputationGraph graph, PlacementPlan plan, ExportFormat format) {
        ExportContext ctx = ExportContext.of(graph, plan);
        return switch (format) {
            case DEEPSPEED -> DeepSpeedExport.render(ctx);
            case TORCH -> TorchPipeliningExport.render(ctx);
            case MEGATRON -> MegatronExport.render(ctx);
        };
    }
}
