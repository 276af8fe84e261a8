# DeepSpeed pipeline-parallel training script, exported by modelpar
# plan for graph 'mixtral-8x7b' on cluster 'test-cluster'
# world size 64 = pipeline 4 x data 8 x tensor 2; 32 micro-batches of 1 samples per data-parallel rank and step; ZeRO stage 0
# hostfile (DeepSpeed's 'hostname slots=GPUs'; put each node's host name in place of the cluster's node name):
#   n0 slots=8
#   n1 slots=8
#   n2 slots=8
#   n3 slots=8
#   n4 slots=8
#   n5 slots=8
#   n6 slots=8
#   n7 slots=8
# launch from the first host:
# deepspeed --hostfile hostfile --num_nodes 8 --num_gpus 8 --master_port 29500 this_script.py
# NOTE: tensor-parallel degree 2 needs tensor-parallel layers and a model-parallel unit (e.g. Megatron-DeepSpeed's mpu) over PipeModelDataParallelTopology(num_pp=4, num_mp=2, num_dp=8)
# NOTE: DeepSpeed's PipelineModule has no sequence parallelism: the plan's is not expressed
import json

import deepspeed
from deepspeed.pipe import PipelineModule
from deepspeed.runtime.pipe.topology import PipeModelDataParallelTopology

PP, DP, TP = 4, 8, 2
ACTIVATION_CHECKPOINT_INTERVAL = 0
EXPERT_PARALLEL = 8  # ep_size of your deepspeed.moe.layer.MoE layers
# stage s owns layers PARTS[s] .. PARTS[s + 1] - 1 of build_layers()
PARTS = [0, 9, 17, 25, 34]
# build_layers()[i] is LAYERS[i]: (modelpar layer, the framework modules it holds, parameters)
LAYERS = [
    ("embedding", ["model.embed_tokens"], 131072000),
    ("block0", ["model.layers.0"], 1451270144),
    ("block1", ["model.layers.1"], 1451270144),
    ("block2", ["model.layers.2"], 1451270144),
    ("block3", ["model.layers.3"], 1451270144),
    ("block4", ["model.layers.4"], 1451270144),
    ("block5", ["model.layers.5"], 1451270144),
    ("block6", ["model.layers.6"], 1451270144),
    ("block7", ["model.layers.7"], 1451270144),
    ("block8", ["model.layers.8"], 1451270144),
    ("block9", ["model.layers.9"], 1451270144),
    ("block10", ["model.layers.10"], 1451270144),
    ("block11", ["model.layers.11"], 1451270144),
    ("block12", ["model.layers.12"], 1451270144),
    ("block13", ["model.layers.13"], 1451270144),
    ("block14", ["model.layers.14"], 1451270144),
    ("block15", ["model.layers.15"], 1451270144),
    ("block16", ["model.layers.16"], 1451270144),
    ("block17", ["model.layers.17"], 1451270144),
    ("block18", ["model.layers.18"], 1451270144),
    ("block19", ["model.layers.19"], 1451270144),
    ("block20", ["model.layers.20"], 1451270144),
    ("block21", ["model.layers.21"], 1451270144),
    ("block22", ["model.layers.22"], 1451270144),
    ("block23", ["model.layers.23"], 1451270144),
    ("block24", ["model.layers.24"], 1451270144),
    ("block25", ["model.layers.25"], 1451270144),
    ("block26", ["model.layers.26"], 1451270144),
    ("block27", ["model.layers.27"], 1451270144),
    ("block28", ["model.layers.28"], 1451270144),
    ("block29", ["model.layers.29"], 1451270144),
    ("block30", ["model.layers.30"], 1451270144),
    ("block31", ["model.layers.31"], 1451270144),
    ("head", ["model.norm", "lm_head"], 131076096),
]
DS_CONFIG = json.loads("""
{
  "train_batch_size" : 256,
  "train_micro_batch_size_per_gpu" : 1,
  "gradient_accumulation_steps" : 32,
  "bf16" : {
    "enabled" : true
  },
  "optimizer" : {
    "type" : "Adam"
  },
  "zero_optimization" : {
    "stage" : 0
  },
  "steps_per_print" : 10,
  "wall_clock_breakdown" : false
}
""")


class PlanPipelineModule(PipelineModule):
    """A PipelineModule with the plan's stage boundaries (partition_method has no explicit option)."""

    def _partition_layers(self, method="parameters"):
        stage_id = self._topo.get_coord(self.global_rank).pipe
        self.parts = list(PARTS)
        self._set_bounds(start=self.parts[stage_id], stop=self.parts[stage_id + 1])


# PLACEHOLDERS: modelpar knows neither your model code, your data nor your learning rate


def build_layers():
    """PLACEHOLDER: your model as a list of len(LAYERS) modules or LayerSpecs, in LAYERS order."""
    raise NotImplementedError("PLACEHOLDER: build_layers()")


def batches():
    """PLACEHOLDER: an endless iterator of (inputs, targets) micro-batches of train_micro_batch_size_per_gpu samples."""
    raise NotImplementedError("PLACEHOLDER: batches()")


def loss_fn(output, target):
    """PLACEHOLDER: the training loss."""
    raise NotImplementedError("PLACEHOLDER: loss_fn()")


def learning_rate():
    """PLACEHOLDER: your learning rate."""
    raise NotImplementedError("PLACEHOLDER: learning_rate()")


def train_steps():
    """PLACEHOLDER: how many steps (train_batch_size samples each) to train."""
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
