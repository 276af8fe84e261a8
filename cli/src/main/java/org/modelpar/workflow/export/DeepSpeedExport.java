package org.modelpar.workflow.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;

/**
 * DeepSpeed pipeline parallelism: the {@code PipelineModule} partition as explicit layer boundaries
 * ({@code parts}, DeepSpeed's own format: stage s owns layers {@code [parts[s], parts[s + 1])}), the
 * process topology, and a DeepSpeed config ({@code train_batch_size} = per-GPU micro-batch x gradient
 * accumulation steps x data-parallel degree).
 */
final class DeepSpeedExport {
    static final String FORMAT = "modelpar-export-deepspeed/1";

    private DeepSpeedExport() {
    }

    static Export render(ExportContext ctx) {
        PlacementPlan plan = ctx.plan();
        int dp = ctx.dataParallel(ExportFormat.DEEPSPEED);
        List<String> notes = new ArrayList<>();
        notes.add("DeepSpeed has no partition_method for explicit boundaries: give 'parts' to a PipelineModule subclass"
                + " whose _partition_layers sets self.parts (docs/workflow.md shows one); layer i of 'layers' is"
                + " the i-th entry of your PipelineModule's layer list");
        notes.add("set config.optimizer.params (learning rate, betas, weight decay): the plan fixes only the optimizer type");
        if (plan.tensorParallel() > 1) {
            notes.add("tensor-parallel degree " + plan.tensorParallel() + " needs a model-parallel unit (e.g. Megatron-DeepSpeed's mpu)"
                    + " and PipeModelDataParallelTopology(num_pp=" + plan.pipelineStages() + ", num_mp=" + plan.tensorParallel()
                    + ", num_dp=" + dp + ")");
        }
        List<Integer> recompute = ctx.recomputingStages();
        if (!recompute.isEmpty() && recompute.size() < plan.pipelineStages()) {
            notes.add("only stages " + ExportContext.list(recompute) + " recompute activations, but DeepSpeed's"
                    + " activation_checkpoint_interval applies to every stage");
        }

        ObjectNode root = ctx.object();
        root.put("format", FORMAT);
        root.set("source", ctx.source());
        ObjectNode topology = root.putObject("topology");
        topology.put("pipe", plan.pipelineStages());
        topology.put("data", dp);
        topology.put("model", plan.tensorParallel());

        ObjectNode module = root.putObject("pipelineModule");
        module.put("num_stages", plan.pipelineStages());
        module.put("partition_method", "explicit");
        ArrayNode parts = module.putArray("parts");
        ctx.partition().starts().forEach(parts::add);
        module.put("activation_checkpoint_interval", recompute.isEmpty() ? 0 : 1);
        ArrayNode layers = module.putArray("layers");
        for (int s = 0; s < ctx.partition().stageCount(); s++) {
            for (String layer : ctx.partition().stageLayers(s)) {
                ObjectNode l = layers.addObject();
                l.put("layer", layer);
                ArrayNode modules = l.putArray("modules");
                ctx.naming().modules(layer).forEach(modules::add);
                l.put("stage", s);
                l.put("parameters", parameters(ctx, layer));
            }
        }

        ObjectNode config = root.putObject("config");
        config.put("train_batch_size", plan.globalBatchSize());
        config.put("train_micro_batch_size_per_gpu", ctx.microBatchPerReplica(ExportFormat.DEEPSPEED));
        config.put("gradient_accumulation_steps", plan.microBatches());
        switch (plan.precision()) {
            case BF16 -> config.putObject("bf16").put("enabled", true);
            case FP16 -> config.putObject("fp16").put("enabled", true).put("loss_scale", 0);
            case FP32 -> { }
        }
        config.putObject("optimizer").put("type", plan.optimizer() == OptimizerKind.ADAM ? "Adam" : "SGD");
        config.put("steps_per_print", 10);
        config.put("wall_clock_breakdown", false);

        ArrayNode noteArray = root.putArray("notes");
        notes.forEach(noteArray::add);
        return new Export(ExportFormat.DEEPSPEED, ExportContext.render(root), notes);
    }

    private static long parameters(ExportContext ctx, String layer) {
        return ctx.graph().ops().stream().filter(op -> LayerPartition.layerOf(op).equals(layer))
                .mapToLong(OpNode::parameterCount).sum();
    }
}
