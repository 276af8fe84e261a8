package org.modelpar.workflow.export;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;

/**
 * DeepSpeed pipeline parallelism as a Python training script: a {@code PipelineModule} subclass whose
 * {@code _partition_layers} sets the plan's layer boundaries ({@code PARTS}, DeepSpeed's own format: stage s
 * owns layers {@code [PARTS[s], PARTS[s + 1])}; DeepSpeed's {@code partition_method} offers only
 * {@code uniform}, {@code parameters} and {@code type:}), the {@code PipeModelDataParallelTopology}, the
 * DeepSpeed config ({@code train_batch_size} = per-GPU micro-batch x gradient accumulation steps x
 * data-parallel degree, {@code zero_optimization.stage} from the plan), and in its header the hostfile of
 * the plan's nodes and the {@code deepspeed} launcher line. Model, data, steps and learning rate are
 * placeholders that raise until filled in.
 */
final class DeepSpeedExport {
    /** DeepSpeed's PipelineEngine asserts a ZeRO stage below this (deepspeed/runtime/pipe/engine.py). */
    static final int FIRST_ZERO_STAGE_REFUSED = 2;

    private DeepSpeedExport() {
    }

    static Export render(ExportContext ctx) {
        PlacementPlan plan = ctx.plan();
        ctx.requireOneChunkPerStage(ExportFormat.DEEPSPEED, "re-plan with --schedule 1f1b, or export to megatron");
        int zero = plan.options().zeroStage();
        if (zero >= FIRST_ZERO_STAGE_REFUSED) {
            throw new ExportException("the plan uses ZeRO stage " + zero + ", but DeepSpeed's PipelineEngine accepts only"
                    + " ZeRO stage 0 or 1 with a PipelineModule: re-plan with ZeRO stage 1 or less, or export to megatron");
        }
        int dp = ctx.dataParallel(ExportFormat.DEEPSPEED);
        int p = plan.pipelineStages();
        int microBatch = ctx.microBatchPerReplica(ExportFormat.DEEPSPEED);
        List<String> notes = notes(ctx, dp);

        StringBuilder py = new StringBuilder();
        py.append("# DeepSpeed pipeline-parallel training script, exported by modelpar\n");
        py.append("# plan for graph '").append(ctx.source().get("graph").asText()).append("' on cluster '")
                .append(plan.clusterName()).append("'\n");
        py.append("# world size ").append(plan.devices().size()).append(" = pipeline ").append(p).append(" x data ").append(dp)
                .append(" x tensor ").append(plan.tensorParallel()).append("; ").append(plan.microBatches())
                .append(" micro-batches of ").append(microBatch).append(" samples per data-parallel rank and step; ZeRO stage ")
                .append(zero).append('\n');
        py.append("# hostfile (DeepSpeed's 'hostname slots=GPUs'; put each node's host name in place of the cluster's node name):\n");
        Map<String, Integer> nodes = ctx.slotsByNode();
        nodes.forEach((node, slots) -> py.append("#   ").append(node).append(" slots=").append(slots).append('\n'));
        int gpusPerNode = nodes.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        py.append("# launch from the first host:\n");
        py.append("# deepspeed --hostfile hostfile --num_nodes ").append(nodes.size()).append(" --num_gpus ").append(gpusPerNode)
                .append(" --master_port 29500 this_script.py\n");
        notes.forEach(n -> py.append("# NOTE: ").append(n).append('\n'));
        py.append("import json\n\nimport deepspeed\nfrom deepspeed.pipe import PipelineModule\n")
                .append("from deepspeed.runtime.pipe.topology import PipeModelDataParallelTopology\n\n");
        py.append("PP, DP, TP = ").append(p).append(", ").append(dp).append(", ").append(plan.tensorParallel()).append('\n');
        py.append("ACTIVATION_CHECKPOINT_INTERVAL = ").append(ctx.recomputingStages().isEmpty() ? 0 : 1).append('\n');
        if (plan.options().expertParallel() > 1) {
            py.append("EXPERT_PARALLEL = ").append(plan.options().expertParallel())
                    .append("  # ep_size of your deepspeed.moe.layer.MoE layers\n");
        }
        py.append("# stage s owns layers PARTS[s] .. PARTS[s + 1] - 1 of build_layers()\n");
        py.append("PARTS = [").append(String.join(", ", ctx.partition().starts().stream().map(String::valueOf).toList())).append("]\n");
        py.append("# build_layers()[i] is LAYERS[i]: (modelpar layer, the framework modules it holds, parameters)\nLAYERS = [\n");
        for (String layer : ctx.partition().layers()) {
            py.append("    (\"").append(layer).append("\", [")
                    .append(String.join(", ", ctx.naming().modules(layer).stream().map(m -> "\"" + m + "\"").toList()))
                    .append("], ").append(parameters(ctx, layer)).append("),\n");
        }
        py.append("]\n");
        py.append("DS_CONFIG = json.loads(\"\"\"\n").append(ExportContext.render(config(ctx))).append("\"\"\")\n");
        py.append(SCRIPT);
        return new Export(ExportFormat.DEEPSPEED, py.toString(), notes);
    }

    private static List<String> notes(ExportContext ctx, int dp) {
        PlacementPlan plan = ctx.plan();
        List<String> notes = new ArrayList<>();
        ctx.splitBackwardNote("DeepSpeed").ifPresent(notes::add);
        if (ctx.naming() == ModuleNaming.LAYER_TAGS) {
            notes.add("graph '" + ctx.graph().name() + "' has no known module hierarchy: LAYERS names its layer tags;"
                    + " build_layers() must return your modules in that order");
        }
        if (plan.tensorParallel() > 1) {
            notes.add("tensor-parallel degree " + plan.tensorParallel() + " needs tensor-parallel layers and a model-parallel unit"
                    + " (e.g. Megatron-DeepSpeed's mpu) over PipeModelDataParallelTopology(num_pp=" + plan.pipelineStages()
                    + ", num_mp=" + plan.tensorParallel() + ", num_dp=" + dp + ")");
        }
        List<Integer> recompute = ctx.recomputingStages();
        if (!recompute.isEmpty() && recompute.size() < plan.pipelineStages()) {
            notes.add("only stages " + ExportContext.list(recompute) + " recompute activations, but DeepSpeed's"
                    + " activation_checkpoint_interval applies to every stage");
        }
        if (plan.options().sequenceParallel()) {
            notes.add("DeepSpeed's PipelineModule has no sequence parallelism: the plan's is not expressed");
        }
        return notes;
    }

    /** The DeepSpeed config: only keys DeepSpeedScriptTest finds in DeepSpeed's sources. */
    private static ObjectNode config(ExportContext ctx) {
        PlacementPlan plan = ctx.plan();
        ObjectNode config = ctx.object();
        config.put("train_batch_size", plan.globalBatchSize());
        config.put("train_micro_batch_size_per_gpu", ctx.microBatchPerReplica(ExportFormat.DEEPSPEED));
        config.put("gradient_accumulation_steps", plan.microBatches());
        switch (plan.precision()) {
            case BF16 -> config.putObject("bf16").put("enabled", true);
            case FP16 -> config.putObject("fp16").put("enabled", true).put("loss_scale", 0);
            case FP32 -> { }
        }
        config.putObject("optimizer").put("type", plan.optimizer() == OptimizerKind.ADAM ? "Adam" : "SGD");
        config.putObject("zero_optimization").put("stage", plan.options().zeroStage());
        config.put("steps_per_print", 10);
        config.put("wall_clock_breakdown", false);
        return config;
    }

    private static long parameters(ExportContext ctx, String layer) {
        return ctx.graph().ops().stream().filter(op -> LayerPartition.layerOf(op).equals(layer))
                .mapToLong(OpNode::parameterCount).sum();
    }

    private static final String SCRIPT = """


            class PlanPipelineModule(PipelineModule):
                \"\"\"A PipelineModule with the plan's stage boundaries (partition_method has no explicit option).\"\"\"

                def _partition_layers(self, method="parameters"):
                    stage_id = self._topo.get_coord(self.global_rank).pipe
                    self.parts = list(PARTS)
                    self._set_bounds(start=self.parts[stage_id], stop=self.parts[stage_id + 1])


            # PLACEHOLDERS: modelpar knows neither your model code, your data nor your learning rate


            def build_layers():
                \"\"\"PLACEHOLDER: your model as a list of len(LAYERS) modules or LayerSpecs, in LAYERS order.\"\"\"
                raise NotImplementedError("PLACEHOLDER: build_layers()")


            def batches():
                \"\"\"PLACEHOLDER: an endless iterator of (inputs, targets) micro-batches of train_micro_batch_size_per_gpu samples.\"\"\"
                raise NotImplementedError("PLACEHOLDER: batches()")


            def loss_fn(output, target):
                \"\"\"PLACEHOLDER: the training loss.\"\"\"
                raise NotImplementedError("PLACEHOLDER: loss_fn()")


            def learning_rate():
                \"\"\"PLACEHOLDER: your learning rate.\"\"\"
                raise NotImplementedError("PLACEHOLDER: learning_rate()")


            def train_steps():
                \"\"\"PLACEHOLDER: how many steps (train_batch_size samples each) to train.\"\"\"
                raise NotImplementedError("PLACEHOLDER: train_steps()")


            def main():
                deepspeed.init_distributed()
                layers = build_layers()
                if len(layers) != PARTS[-1]:
                    raise ValueError(f"build_layers() returned {len(layers)} layers, the plan has {PARTS[-1]}")
                topology = PipeModelDataParallelTopology(num_pp=PP, num_mp=TP, num_dp=DP)
                model = PlanPipelineModule(layers=layers, topology=topology, loss_fn=loss_fn,
                                           activation_checkpoint_interval=ACTIVATION_CHECKPOINT_INTERVAL)
                config = dict(DS_CONFIG, optimizer=dict(DS_CONFIG["optimizer"], params={"lr": learning_rate()}))
                engine, _, _, _ = deepspeed.initialize(model=model, config=config,
                                                       model_parameters=[p for p in model.parameters() if p.requires_grad])
                data = batches()
                for _ in range(train_steps()):
                    engine.train_batch(data_iter=data)


            if __name__ == "__main__":
                main()
            """;
}
