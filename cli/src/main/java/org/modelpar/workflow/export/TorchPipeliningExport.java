package org.modelpar.workflow.export;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;

/**
 * PyTorch {@code torch.distributed.pipelining}: a Python script that splits the model with {@code pipeline()}
 * at the module FQN where each later stage begins ({@code SplitPoint.BEGINNING}), builds this rank's stage
 * on a {@code (pp, dp, tp)} device mesh, runs the plan's schedule ({@code ScheduleGPipe} or
 * {@code Schedule1F1B}) with its micro-batch count, averages gradients over the data-parallel group and
 * steps the optimizer; the model, a micro-batch of inputs, the data, the loss and the learning rate are
 * placeholders that raise until filled in; the {@code torchrun} line is in its header.
 */
final class TorchPipeliningExport {
    private TorchPipeliningExport() {
    }

    static Export render(ExportContext ctx) {
        PlacementPlan plan = ctx.plan();
        ctx.requireOneChunkPerStage(ExportFormat.TORCH, "re-plan with --schedule 1f1b, or export to megatron");
        int dp = ctx.dataParallel(ExportFormat.TORCH);
        int microBatch = ctx.microBatchPerReplica(ExportFormat.TORCH);
        List<String> notes = new ArrayList<>();
        if (ctx.naming() == ModuleNaming.LAYER_TAGS) {
            notes.add("graph '" + ctx.graph().name() + "' has no known module hierarchy: the split points are its layer tags;"
                    + " replace them with your model's module FQNs");
        }
        if (plan.tensorParallel() > 1) {
            notes.add("apply tensor parallelism of degree " + plan.tensorParallel() + " to each stage with"
                    + " torch.distributed.tensor.parallel.parallelize_module on the mesh's 'tp' dimension (marked in the script)");
        }
        List<Integer> recompute = ctx.recomputingStages();
        if (!recompute.isEmpty()) {
            notes.add("wrap the modules of stages " + ExportContext.list(recompute)
                    + " in torch.utils.checkpoint (activation recomputation)");
        }
        if (plan.options().zeroStage() > 0) {
            notes.add("the plan shards training state over the data-parallel group (ZeRO stage " + plan.options().zeroStage()
                    + "); this script keeps it whole on every rank: wrap stage.submod in torch.distributed.fsdp to shard it");
        }
        if (plan.options().expertParallel() > 1) {
            notes.add("the plan spreads each stage's experts over groups of " + plan.options().expertParallel()
                    + " data-parallel ranks; your model's MoE layers must dispatch tokens over such a group (all-to-all)");
        }
        ctx.splitBackwardNote("torch.distributed.pipelining").ifPresent(notes::add);
        String schedule = plan.schedule() == Schedule.GPIPE ? "ScheduleGPipe" : "Schedule1F1B";
        int world = plan.devices().size();
        StringBuilder py = new StringBuilder();
        py.append("# PyTorch torch.distributed.pipelining script, exported by modelpar\n");
        py.append("# plan for graph '").append(ctx.source().get("graph").asText()).append("' on cluster '")
                .append(plan.clusterName()).append("'\n");
        py.append("# world size ").append(world).append(" = pipeline ").append(plan.pipelineStages()).append(" x data ").append(dp)
                .append(" x tensor ").append(plan.tensorParallel()).append("; ").append(plan.microBatches())
                .append(" micro-batches of ").append(microBatch).append(" samples per data-parallel rank and step\n");
        py.append("# launch: on each of the ").append(world).append(" / GPUS_PER_NODE nodes, NODE_RANK its index and MASTER_ADDR node 0's address\n");
        py.append("# torchrun --nproc-per-node \"$GPUS_PER_NODE\" --nnodes $((").append(world)
                .append(" / GPUS_PER_NODE)) --node-rank \"$NODE_RANK\" --master-addr \"$MASTER_ADDR\" --master-port 29500 this_script.py\n");
        notes.forEach(n -> py.append("# NOTE: ").append(n).append('\n'));
        py.append("import os\n\nimport torch\nimport torch.distributed as dist\n")
                .append("from torch.distributed.device_mesh import init_device_mesh\n")
                .append("from torch.distributed.pipelining import SplitPoint, ").append(schedule).append(", pipeline\n\n");
        py.append("PP, DP, TP = ").append(plan.pipelineStages()).append(", ").append(dp).append(", ").append(plan.tensorParallel()).append('\n');
        py.append("N_MICROBATCHES = ").append(plan.microBatches()).append('\n');
        py.append("MICRO_BATCH_SIZE = ").append(microBatch).append('\n');
        py.append("# stage s begins at the module named here (stage 0 at the model's start)\nSPLIT_SPEC = {\n");
        for (int s = 1; s < ctx.partition().stageCount(); s++) {
            py.append("    \"").append(ctx.stageModules(s).get(0)).append("\": SplitPoint.BEGINNING,\n");
        }
        py.append("}\n\n");
        py.append("""
                # PLACEHOLDERS: modelpar knows neither your model code, your data nor your learning rate


                def build_model():
                    \"\"\"PLACEHOLDER: your torch.nn.Module, its submodules named as in SPLIT_SPEC.\"\"\"
                    raise NotImplementedError("PLACEHOLDER: build_model()")


                def example_micro_batch():
                    \"\"\"PLACEHOLDER: one micro-batch of inputs (MICRO_BATCH_SIZE samples), to trace the model.\"\"\"
                    raise NotImplementedError("PLACEHOLDER: example_micro_batch()")


                def batches():
                    \"\"\"PLACEHOLDER: yields (inputs, targets) of N_MICROBATCHES x MICRO_BATCH_SIZE samples per step.\"\"\"
                    raise NotImplementedError("PLACEHOLDER: batches()")


                def loss_fn(output, target):
                    \"\"\"PLACEHOLDER: the training loss.\"\"\"
                    raise NotImplementedError("PLACEHOLDER: loss_fn()")


                LEARNING_RATE = None  # PLACEHOLDER: your learning rate


                def main():
                    local_rank = int(os.environ["LOCAL_RANK"])
                    torch.cuda.set_device(local_rank)
                    dist.init_process_group("nccl")
                    mesh = init_device_mesh("cuda", (PP, DP, TP), mesh_dim_names=("pp", "dp", "tp"))
                    pp_rank = mesh["pp"].get_local_rank()
                    pipe = pipeline(build_model(), mb_args=(example_micro_batch(),), split_spec=SPLIT_SPEC)
                    stage = pipe.build_stage(pp_rank, torch.device("cuda", local_rank), group=mesh["pp"].get_group())
                    # TP > 1: parallelize stage.submod over mesh["tp"] here (torch.distributed.tensor.parallel)
                """);
        py.append("    schedule = ").append(schedule).append("(stage, n_microbatches=N_MICROBATCHES, loss_fn=loss_fn)\n");
        py.append("    optimizer = torch.optim.").append(plan.optimizer().jsonName().equals("sgd") ? "SGD" : "AdamW")
                .append("(stage.submod.parameters(), lr=LEARNING_RATE)\n");
        py.append("""
                    for inputs, targets in batches():
                        if pp_rank == 0:
                            schedule.step(inputs.cuda())
                        elif pp_rank == PP - 1:
                            schedule.step(target=targets.cuda())
                        else:
                            schedule.step()
                        for p in stage.submod.parameters():
                            if p.grad is not None and DP > 1:
                                dist.all_reduce(p.grad, group=mesh["dp"].get_group())
                                p.grad /= DP
                        optimizer.step()
                        optimizer.zero_grad()
                    dist.destroy_process_group()


                if __name__ == "__main__":
                    main()
                """);
        return new Export(ExportFormat.TORCH, py.toString(), notes);
    }
}
