# DeepSpeed pipeline-parallel training script, exported by modelpar
# plan for graph 'deepseek-v3' on cluster 'test-cluster'
# world size 512 = pipeline 8 x data 64 x tensor 1; 16 micro-batches of 1 samples per data-parallel rank and step; ZeRO stage 0
# hostfile (DeepSpeed's 'hostname slots=GPUs'; put each node's host name in place of the cluster's node name):
#   n0 slots=8
#   n1 slots=8
#   n2 slots=8
#   n3 slots=8
#   n4 slots=8
#   n5 slots=8
#   n6 slots=8
#   n7 slots=8
#   n8 slots=8
#   n9 slots=8
#   n10 slots=8
#   n11 slots=8
#   n12 slots=8
#   n13 slots=8
#   n14 slots=8
#   n15 slots=8
#   n16 slots=8
#   n17 slots=8
#   n18 slots=8
#   n19 slots=8
#   n20 slots=8
#   n21 slots=8
#   n22 slots=8
#   n23 slots=8
#   n24 slots=8
#   n25 slots=8
#   n26 slots=8
#   n27 slots=8
#   n28 slots=8
#   n29 slots=8
#   n30 slots=8
#   n31 slots=8
#   n32 slots=8
#   n33 slots=8
#   n34 slots=8
#   n35 slots=8
#   n36 slots=8
#   n37 slots=8
#   n38 slots=8
#   n39 slots=8
#   n40 slots=8
#   n41 slots=8
#   n42 slots=8
#   n43 slots=8
#   n44 slots=8
#   n45 slots=8
#   n46 slots=8
#   n47 slots=8
#   n48 slots=8
#   n49 slots=8
#   n50 slots=8
#   n51 slots=8
#   n52 slots=8
#   n53 slots=8
#   n54 slots=8
#   n55 slots=8
#   n56 slots=8
#   n57 slots=8
#   n58 slots=8
#   n59 slots=8
#   n60 slots=8
#   n61 slots=8
#   n62 slots=8
#   n63 slots=8
# launch from the first host:
# deepspeed --hostfile hostfile --num_nodes 64 --num_gpus 8 --master_port 29500 this_script.py
import json

import deepspeed
from deepspeed.pipe import PipelineModule
from deepspeed.runtime.pipe.topology import PipeModelDataParallelTopology

PP, DP, TP = 8, 64, 1
ACTIVATION_CHECKPOINT_INTERVAL = 0
EXPERT_PARALLEL = 64  # ep_size of your deepspeed.moe.layer.MoE layers
# stage s owns layers PARTS[s] .. PARTS[s + 1] - 1 of build_layers()
PARTS = [0, 9, 17, 25, 33, 41, 49, 57, 63]
# build_layers()[i] is LAYERS[i]: (modelpar layer, the framework modules it holds, parameters)
LAYERS = [
    ("embedding", ["model.embed_tokens"], 926679040),
    ("block0", ["model.layers.0"], 583483392),
    ("block1", ["model.layers.1"], 583483392),
    ("block2", ["model.layers.2"], 583483392),
    ("block3", ["model.layers.3"], 11507286016),
    ("block4", ["model.layers.4"], 11507286016),
    ("block5", ["model.layers.5"], 11507286016),
    ("block6", ["model.layers.6"], 11507286016),
    ("block7", ["model.layers.7"], 11507286016),
    ("block8", ["model.layers.8"], 11507286016),
    ("block9", ["model.layers.9"], 11507286016),
    ("block10", ["model.layers.10"], 11507286016),
    ("block11", ["model.layers.11"], 11507286016),
    ("block12", ["model.layers.12"], 11507286016),
    ("block13", ["model.layers.13"], 11507286016),
    ("block14", ["model.layers.14"], 11507286016),
    ("block15", ["model.layers.15"], 11507286016),
    ("block16", ["model.layers.16"], 11507286016),
    ("block17", ["model.layers.17"], 11507286016),
    ("block18", ["model.layers.18"], 11507286016),
    ("block19", ["model.layers.19"], 11507286016),
    ("block20", ["model.layers.20"], 11507286016),
    ("block21", ["model.layers.21"], 11507286016),
    ("block22", ["model.layers.22"], 11507286016),
    ("block23", ["model.layers.23"], 11507286016),
    ("block24", ["model.layers.24"], 11507286016),
    ("block25", ["model.layers.25"], 11507286016),
    ("block26", ["model.layers.26"], 11507286016),
    ("block27", ["model.layers.27"], 11507286016),
    ("block28", ["model.layers.28"], 11507286016),
    ("block29", ["model.layers.29"], 11507286016),
    ("block30", ["model.layers.30"], 11507286016),
    ("block31", ["model.layers.31"], 11507286016),
    ("block32", ["model.layers.32"], 11507286016),
    ("block33", ["model.layers.33"], 11507286016),
    ("block34", ["model.layers.34"], 11507286016),
    ("block35", ["model.layers.35"], 11507286016),
    ("block36", ["model.layers.36"], 11507286016),
    ("block37", ["model.layers.37"], 11507286016),
    ("block38", ["model.layers.38"], 11507286016),
    ("block39", ["model.layers.39"], 11507286016),
    ("block40", ["model.layers.40"], 11507286016),
    ("block41", ["model.layers.41"], 11507286016),
    ("block42", ["model.layers.42"], 11507286016),
    ("block43", ["model.layers.43"], 11507286016),
    ("block44", ["model.layers.44"], 11507286016),
    ("block45", ["model.layers.45"], 11507286016),
    ("block46", ["model.layers.46"], 11507286016),
    ("block47", ["model.layers.47"], 11507286016),
    ("block48", ["model.layers.48"], 11507286016),
    ("block49", ["model.layers.49"], 11507286016),
    ("block50", ["model.layers.50"], 11507286016),
    ("block51", ["model.layers.51"], 11507286016),
    ("block52", ["model.layers.52"], 11507286016),
    ("block53", ["model.layers.53"], 11507286016),
    ("block54", ["model.layers.54"], 11507286016),
    ("block55", ["model.layers.55"], 11507286016),
    ("block56", ["model.layers.56"], 11507286016),
    ("block57", ["model.layers.57"], 11507286016),
    ("block58", ["model.layers.58"], 11507286016),
    ("block59", ["model.layers.59"], 11507286016),
    ("block60", ["model.layers.60"], 11507286016),
    ("head", ["model.norm", "lm_head"], 926686208),
]
DS_CONFIG = json.loads("""
{
  "train_batch_size" : 1024,
  "train_micro_batch_size_per_gpu" : 1,
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
