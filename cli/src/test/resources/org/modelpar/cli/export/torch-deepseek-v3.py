# PyTorch torch.distributed.pipelining script, exported by modelpar
# plan for graph 'deepseek-v3' on cluster 'test-cluster'
# world size 512 = pipeline 8 x data 64 x tensor 1; 16 micro-batches of 1 samples per data-parallel rank and step
# launch: on each of the 512 / GPUS_PER_NODE nodes, NODE_RANK its index and MASTER_ADDR node 0's address
# torchrun --nproc-per-node "$GPUS_PER_NODE" --nnodes $((512 / GPUS_PER_NODE)) --node-rank "$NODE_RANK" --master-addr "$MASTER_ADDR" --master-port 29500 this_script.py
# NOTE: the plan spreads each stage's experts over groups of 64 data-parallel ranks; your model's MoE layers must dispatch tokens over such a group (all-to-all)
import os

import torch
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.pipelining import SplitPoint, Schedule1F1B, pipeline

PP, DP, TP = 8, 64, 1
N_MICROBATCHES = 16
MICRO_BATCH_SIZE = 1
# stage s begins at the module named here (stage 0 at the model's start)
SPLIT_SPEC = {
    "model.layers.8": SplitPoint.BEGINNING,
    "model.layers.16": SplitPoint.BEGINNING,
    "model.layers.24": SplitPoint.BEGINNING,
    "model.layers.32": SplitPoint.BEGINNING,
    "model.layers.40": SplitPoint.BEGINNING,
    "model.layers.48": SplitPoint.BEGINNING,
    "model.layers.56": SplitPoint.BEGINNING,
}

# PLACEHOLDERS: modelpar knows neither your model code, your data nor your learning rate


def build_model():
    """PLACEHOLDER: your torch.nn.Module, its submodules named as in SPLIT_SPEC."""
    raise NotImplementedError("PLACEHOLDER: build_model()")


def example_micro_batch():
    """PLACEHOLDER: one micro-batch of inputs (MICRO_BATCH_SIZE samples), to trace the model."""
    raise NotImplementedError("PLACEHOLDER: example_micro_batch()")


def batches():
    """PLACEHOLDER: yields (inputs, targets) of N_MICROBATCHES x MICRO_BATCH_SIZE samples per step."""
    raise NotImplementedError("PLACEHOLDER: batches()")


def loss_fn(output, target):
    """PLACEHOLDER: the training loss."""
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
    schedule = Schedule1F1B(stage, n_microbatches=N_MICROBATCHES, loss_fn=loss_fn)
    optimizer = torch.optim.AdamW(stage.submod.parameters(), lr=LEARNING_RATE)
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
