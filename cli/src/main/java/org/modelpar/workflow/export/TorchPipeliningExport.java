package org.modelpar.workflow.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;

/**
 * PyTorch {@code torch.distributed.pipelining}: the {@code split_spec} for {@code pipeline()} (the
 * module FQN at which each later stage begins, {@code SplitPoint.BEGINNING}), the schedule class
 * ({@code ScheduleGPipe} or {@code Schedule1F1B}) with its micro-batch count, and the device mesh.
 */
final class TorchPipeliningExport {
    static final String FORMAT = "modelpar-export-torch/1";

    private TorchPipeliningExport() {
    }

    static Export render(ExportContext ctx) {
        PlacementPlan plan = ctx.plan();
        int dp = ctx.dataParallel(ExportFormat.TORCH);
        int microBatch = ctx.microBatchPerReplica(ExportFormat.TORCH);
        List<String> notes = new ArrayList<>();
        if (ctx.naming() == ModuleNaming.LAYER_TAGS) {
            notes.add("graph '" + ctx.graph().name() + "' has no known module hierarchy: the split points are its layer tags;"
                    + " replace them with your model's module FQNs");
        }
        notes.add("each data-parallel rank feeds schedule.step() " + microBatch * plan.microBatches() + " samples, which it splits into "
                + plan.microBatches() + " micro-batches of " + microBatch);
        if (plan.tensorParallel() > 1) {
            notes.add("apply tensor parallelism of degree " + plan.tensorParallel() + " to each stage with"
                    + " torch.distributed.tensor.parallel.parallelize_module on the mesh's 'tp' dimension");
        }
        List<Integer> recompute = ctx.recomputingStages();
        if (!recompute.isEmpty()) {
            notes.add("wrap the modules of stages " + ExportContext.list(recompute)
                    + " in torch.utils.checkpoint (activation recomputation)");
        }

        ObjectNode root = ctx.object();
        root.put("format", FORMAT);
        root.set("source", ctx.source());
        ObjectNode mesh = root.putObject("mesh");
        mesh.put("pp", plan.pipelineStages());
        mesh.put("dp", dp);
        mesh.put("tp", plan.tensorParallel());
        root.put("schedule", plan.schedule() == Schedule.GPIPE ? "ScheduleGPipe" : "Schedule1F1B");
        root.put("n_microbatches", plan.microBatches());
        root.put("micro_batch_size", microBatch);
        ObjectNode split = root.putObject("split_spec");
        for (int s = 1; s < ctx.partition().stageCount(); s++) {
            split.put(ctx.stageModules(s).get(0), "SplitPoint.BEGINNING");
        }
        ArrayNode stages = root.putArray("stages");
        for (int s = 0; s < ctx.partition().stageCount(); s++) {
            ObjectNode st = stages.addObject();
            st.put("stage", s);
            ArrayNode devices = st.putArray("devices");
            plan.stages().get(s).devices().forEach(devices::add);
            ArrayNode modules = st.putArray("modules");
            ctx.stageModules(s).forEach(modules::add);
            st.put("recompute", plan.stages().get(s).recompute());
        }
        ArrayNode noteArray = root.putArray("notes");
        notes.forEach(noteArray::add);
        return new Export(ExportFormat.TORCH, ExportContext.render(root), notes);
    }
}
