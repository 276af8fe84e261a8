# DeepSpeed pipeline-parallel training script, exported by modelpar
# plan for graph 'gpt2-small' on cluster 'test-cluster'
# world size 8 = pipeline 4 x data 2 x tensor 1; 16 micro-batches of 4 samples per data-parallel rank and step; ZeRO stage 0
# hostfile (DeepSpeed's 'hostname slots=GPUs'; put each node's host name in place of the cluster's node name):
#   n0 slots=8
# launch from the first host:
# deepspeed --hostfile hostfile --num_nodes 1 --num_gpus 8 --master_port 29500 this_script.py
import json

import deepspeed
from deepspeed.pipe import PipelineModule
from deepspeed.runtime.pipe.topology import PipeModelDataParallelTopology

PP, DP, TP = 4, 2, 1
ACTIVATION_CHECKPOINT_INTERVAL = 1
# stage s owns layers PARTS[s] .. PARTS[s + 1] - 1 of build_layers()
PARTS = [0, 4, 7, 10, 14]
# build_layers()[i] is LAYERS[i]: (modelpar layer, the framework modules it holds, parameters)
LAYERS = [
    ("embedding", ["transformer.wte", "transformer.wpe"], 39383808),
    ("block0", ["transformer.h.0"], 7087872),
    ("block1", ["transformer.h.1"], 7087872),
    ("block2", ["transformer.h.2"], 7087872),
    ("block3", ["transformer.h.3"], 7087872),
    ("block4", ["transformer.h.4"], 7087872),
    ("block5", ["transformer.h.5"], 7087872),
    ("block6", ["transformer.h.6"], 7087872),
    ("block7", ["transformer.h.7"], 7087872),
    ("block8", ["transformer.h.8"], 7087872),
    ("block9", ["transformer.h.9"], 7087872),
    ("block10", ["transformer.h.10"], 7087872),
    ("block11", ["transformer.h.11"], 7087872),
    ("head", ["transformer.ln_f", "lm_head"], 1536),
]
DS_CONFIG = json.loads("""
{
  "train_batch_size" : 128,
  "train_micro_batch_size_per_gpu" : 4,
  "gradient_accumulation_steps" : 16,
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
