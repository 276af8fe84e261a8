package org.modelpar.workflow.export;

import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.PlacementPlan;

/** Facade: renders a plan for a framework. */
public final class Exporter {
    private Exporter() {
    }

    /**
     * Renders the plan in the framework's terms.
     *
     * @param cluster the plan's cluster: its nodes make the DeepSpeed hostfile
     *
     * @throws ExportException when the plan cannot be expressed (a stage boundary cuts a layer, stages differ
     *                         in data-parallel degree, a plan device is not in the cluster, a Megatron export of a
     *                         graph that is not a GPT-style decoder, a DeepSpeed export of an interleaved plan or
     *                         of ZeRO stage 2 or 3)
     */
    public static Export export(ComputationGraph graph, PlacementPlan plan, ClusterSpec cluster, ExportFormat format) {
        ExportContext ctx = ExportContext.of(graph, plan, cluster);
        return switch (format) {
            case DEEPSPEED -> DeepSpeedExport.render(ctx);
            case TORCH -> TorchPipeliningExport.render(ctx);
            case MEGATRON -> MegatronExport.render(ctx);
        };
    }
}
