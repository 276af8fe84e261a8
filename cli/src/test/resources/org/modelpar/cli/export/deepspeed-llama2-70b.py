# DeepSpeed pipeline-parallel training script, exported by modelpar
# plan for graph 'llama2-70b' on cluster 'test-cluster'
# world size 64 = pipeline 8 x data 1 x tensor 8; 64 micro-batches of 1 samples per data-parallel rank and step; ZeRO stage 0
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
# NOTE: tensor-parallel degree 8 needs tensor-parallel layers and a model-parallel unit (e.g. Megatron-DeepSpeed's mpu) over PipeModelDataParallelTopology(num_pp=8, num_mp=8, num_dp=1)
# NOTE: DeepSpeed's PipelineModule has no sequence parallelism: the plan's is not expressed
import json

import deepspeed
from deepspeed.pipe import PipelineModule
from deepspeed.runtime.pipe.topology import PipeModelDataParallelTopology

PP, DP, TP = 8, 1, 8
ACTIVATION_CHECKPOINT_INTERVAL = 1
# stage s owns layers PARTS[s] .. PARTS[s + 1] - 1 of build_layers()
PARTS = [0, 11, 21, 31, 41, 51, 61, 71, 82]
# build_layers()[i] is LAYERS[i]: (modelpar layer, the framework modules it holds, parameters)
LAYERS = [
    ("embedding", ["model.embed_tokens"], 262144000),
    ("block0", ["model.layers.0"], 855654400),
    ("block1", ["model.layers.1"], 855654400),
    ("block2", ["model.layers.2"], 855654400),
    ("block3", ["model.layers.3"], 855654400),
    ("block4", ["model.layers.4"], 855654400),
    ("block5", ["model.layers.5"], 855654400),
    ("block6", ["model.layers.6"], 855654400),
    ("block7", ["model.layers.7"], 855654400),
    ("block8", ["model.layers.8"], 855654400),
    ("block9", ["model.layers.9"], 855654400),
    ("block10", ["model.layers.10"], 855654400),
    ("block11", ["model.layers.11"], 855654400),
    ("block12", ["model.layers.12"], 855654400),
    ("block13", ["model.layers.13"], 855654400),
    ("block14", ["model.layers.14"], 855654400),
    ("block15", ["model.layers.15"], 855654400),
    ("block16", ["model.layers.16"], 855654400),
    ("block17", ["model.layers.17"], 855654400),
    ("block18", ["model.layers.18"], 855654400),
    ("block19", ["model.layers.19"], 855654400),
    ("block20", ["model.layers.20"], 855654400),
    ("block21", ["model.layers.21"], 855654400),
    ("block22", ["model.layers.22"], 855654400),
    ("block23", ["model.layers.23"], 855654400),
    ("block24", ["model.layers.24"], 855654400),
    ("block25", ["model.layers.25"], 855654400),
    ("block26", ["model.layers.26"], 855654400),
    ("block27", ["model.layers.27"], 855654400),
    ("block28", ["model.layers.28"], 855654400),
    ("block29", ["model.layers.29"], 855654400),
    ("block30", ["model.layers.30"], 855654400),
    ("block31", ["model.layers.31"], 855654400),
    ("block32", ["model.layers.32"], 855654400),
    ("block33", ["model.layers.33"], 855654400),
    ("block34", ["model.layers.34"], 855654400),
    ("block35", ["model.layers.35"], 855654400),
    ("block36", ["model.layers.36"], 855654400),
    ("block37", ["model.layers.37"], 855654400),
    ("block38", ["model.layers.38"], 855654400),
    ("block39", ["model.layers.39"], 855654400),
    ("block40", ["model.layers.40"], 855654400),
    ("block41", ["model.layers.41"], 855654400),
    ("block42", ["model.layers.42"], 855654400),
    ("block43", ["model.layers.43"], 855654400),
    ("block44", ["model.layers.44"], 855654400),
    ("block45", ["model.layers.45"], 855654400),
    ("block46", ["model.layers.46"], 855654400),
    ("block47", ["model.layers.47"], 855654400),
    ("block48", ["model.layers.48"], 855654400),
    ("block49", ["model.layers.49"], 855654400),
    ("block50", ["model.layers.50"], 855654400),
    ("block51", ["model.layers.51"], 855654400),
    ("block52", ["model.layers.52"], 855654400),
    ("block53", ["model.layers.53"], 855654400),
    ("block54", ["model.layers.54"], 855654400),
    ("block55", ["model.layers.55"], 855654400),
    ("block56", ["model.layers.56"], 855654400),
    ("block57", ["model.layers.57"], 855654400),
    ("block58", ["model.layers.58"], 855654400),
    ("block59", ["model.layers.59"], 855654400),
    ("block60", ["model.layers.60"], 855654400),
    ("block61", ["model.layers.61"], 855654400),
    ("block62", ["model.layers.62"], 855654400),
    ("block63", ["model.layers.63"], 855654400),
    ("block64", ["model.layers.64"], 855654400),
    ("block65", ["model.layers.65"], 855654400),
    ("block66", ["model.layers.66"], 855654400),
    ("block67", ["model.layers.67"], 855654400),
    ("block68", ["model.layers.68"], 855654400),
    ("block69", ["model.layers.69"], 855654400),
    ("block70", ["model.layers.70"], 855654400),
    ("block71", ["model.layers.71"], 855654400),
    ("block72", ["model.layers.72"], 855654400),
    ("block73", ["model.layers.73"], 855654400),
    ("block74", ["model.layers.74"], 855654400),
    ("block75", ["model.layers.75"], 855654400),
    ("block76", ["model.layers.76"], 855654400),
    ("block77", ["model.layers.77"], 855654400),
    ("block78", ["model.layers.78"], 855654400),
    ("block79", ["model.layers.79"], 855654400),
    ("head", ["model.norm", "lm_head"], 262152192),
]
DS_CONFIG = json.loads("""
{
  "train_batch_size" : 64,
  "train_micro_batch_size_per_gpu" : 1,
  "gradient_accumulation_steps" : 64,
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
