# DeepSpeed pipeline-parallel training script, exported by modelpar
# plan for graph 'gpt3-175b' on cluster 'test-cluster'
# world size 1024 = pipeline 8 x data 16 x tensor 8; 96 micro-batches of 1 samples per data-parallel rank and step; ZeRO stage 1
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
#   n64 slots=8
#   n65 slots=8
#   n66 slots=8
#   n67 slots=8
#   n68 slots=8
#   n69 slots=8
#   n70 slots=8
#   n71 slots=8
#   n72 slots=8
#   n73 slots=8
#   n74 slots=8
#   n75 slots=8
#   n76 slots=8
#   n77 slots=8
#   n78 slots=8
#   n79 slots=8
#   n80 slots=8
#   n81 slots=8
#   n82 slots=8
#   n83 slots=8
#   n84 slots=8
#   n85 slots=8
#   n86 slots=8
#   n87 slots=8
#   n88 slots=8
#   n89 slots=8
#   n90 slots=8
#   n91 slots=8
#   n92 slots=8
#   n93 slots=8
#   n94 slots=8
#   n95 slots=8
#   n96 slots=8
#   n97 slots=8
#   n98 slots=8
#   n99 slots=8
#   n100 slots=8
#   n101 slots=8
#   n102 slots=8
#   n103 slots=8
#   n104 slots=8
#   n105 slots=8
#   n106 slots=8
#   n107 slots=8
#   n108 slots=8
#   n109 slots=8
#   n110 slots=8
#   n111 slots=8
#   n112 slots=8
#   n113 slots=8
#   n114 slots=8
#   n115 slots=8
#   n116 slots=8
#   n117 slots=8
#   n118 slots=8
#   n119 slots=8
#   n120 slots=8
#   n121 slots=8
#   n122 slots=8
#   n123 slots=8
#   n124 slots=8
#   n125 slots=8
#   n126 slots=8
#   n127 slots=8
# launch from the first host:
# deepspeed --hostfile hostfile --num_nodes 128 --num_gpus 8 --master_port 29500 this_script.py
# NOTE: tensor-parallel degree 8 needs tensor-parallel layers and a model-parallel unit (e.g. Megatron-DeepSpeed's mpu) over PipeModelDataParallelTopology(num_pp=8, num_mp=8, num_dp=16)
import json

import deepspeed
from deepspeed.pipe import PipelineModule
from deepspeed.runtime.pipe.topology import PipeModelDataParallelTopology

PP, DP, TP = 8, 16, 8
ACTIVATION_CHECKPOINT_INTERVAL = 0
# stage s owns layers PARTS[s] .. PARTS[s + 1] - 1 of build_layers()
PARTS = [0, 13, 25, 37, 49, 61, 73, 85, 98]
# build_layers()[i] is LAYERS[i]: (modelpar layer, the framework modules it holds, parameters)
LAYERS = [
    ("embedding", ["transformer.wte", "transformer.wpe"], 654311424),
    ("block0", ["transformer.h.0"], 1812099072),
    ("block1", ["transformer.h.1"], 1812099072),
    ("block2", ["transformer.h.2"], 1812099072),
    ("block3", ["transformer.h.3"], 1812099072),
    ("block4", ["transformer.h.4"], 1812099072),
    ("block5", ["transformer.h.5"], 1812099072),
    ("block6", ["transformer.h.6"], 1812099072),
    ("block7", ["transformer.h.7"], 1812099072),
    ("block8", ["transformer.h.8"], 1812099072),
    ("block9", ["transformer.h.9"], 1812099072),
    ("block10", ["transformer.h.10"], 1812099072),
    ("block11", ["transformer.h.11"], 1812099072),
    ("block12", ["transformer.h.12"], 1812099072),
    ("block13", ["transformer.h.13"], 1812099072),
    ("block14", ["transformer.h.14"], 1812099072),
    ("block15", ["transformer.h.15"], 1812099072),
    ("block16", ["transformer.h.16"], 1812099072),
    ("block17", ["transformer.h.17"], 1812099072),
    ("block18", ["transformer.h.18"], 1812099072),
    ("block19", ["transformer.h.19"], 1812099072),
    ("block20", ["transformer.h.20"], 1812099072),
    ("block21", ["transformer.h.21"], 1812099072),
    ("block22", ["transformer.h.22"], 1812099072),
    ("block23", ["transformer.h.23"], 1812099072),
    ("block24", ["transformer.h.24"], 1812099072),
    ("block25", ["transformer.h.25"], 1812099072),
    ("block26", ["transformer.h.26"], 1812099072),
    ("block27", ["transformer.h.27"], 1812099072),
    ("block28", ["transformer.h.28"], 1812099072),
    ("block29", ["transformer.h.29"], 1812099072),
    ("block30", ["transformer.h.30"], 1812099072),
    ("block31", ["transformer.h.31"], 1812099072),
    ("block32", ["transformer.h.32"], 1812099072),
    ("block33", ["transformer.h.33"], 1812099072),
    ("block34", ["transformer.h.34"], 1812099072),
    ("block35", ["transformer.h.35"], 1812099072),
    ("block36", ["transformer.h.36"], 1812099072),
    ("block37", ["transformer.h.37"], 1812099072),
    ("block38", ["transformer.h.38"], 1812099072),
    ("block39", ["transformer.h.39"], 1812099072),
    ("block40", ["transformer.h.40"], 1812099072),
    ("block41", ["transformer.h.41"], 1812099072),
    ("block42", ["transformer.h.42"], 1812099072),
    ("block43", ["transformer.h.43"], 1812099072),
    ("block44", ["transformer.h.44"], 1812099072),
    ("block45", ["transformer.h.45"], 1812099072),
    ("block46", ["transformer.h.46"], 1812099072),
    ("block47", ["transformer.h.47"], 1812099072),
    ("block48", ["transformer.h.48"], 1812099072),
    ("block49", ["transformer.h.49"], 1812099072),
    ("block50", ["transformer.h.50"], 1812099072),
    ("block51", ["transformer.h.51"], 1812099072),
    ("block52", ["transformer.h.52"], 1812099072),
    ("block53", ["transformer.h.53"], 1812099072),
    ("block54", ["transformer.h.54"], 1812099072),
    ("block55", ["transformer.h.55"], 1812099072),
    ("block56", ["transformer.h.56"], 1812099072),
    ("block57", ["transformer.h.57"], 1812099072),
    ("block58", ["transformer.h.58"], 1812099072),
    ("block59", ["transformer.h.59"], 1812099072),
    ("block60", ["transformer.h.60"], 1812099072),
    ("block61", ["transformer.h.61"], 1812099072),
    ("block62", ["transformer.h.62"], 1812099072),
    ("block63", ["transformer.h.63"], 1812099072),
    ("block64", ["transformer.h.64"], 1812099072),
    ("block65", ["transformer.h.65"], 1812099072),
    ("block66", ["transformer.h.66"], 1812099072),
    ("block67", ["transformer.h.67"], 1812099072),
    ("block68", ["transformer.h.68"], 1812099072),
    ("block69", ["transformer.h.69"], 1812099072),
    ("block70", ["transformer.h.70"], 1812099072),
    ("block71", ["transformer.h.71"], 1812099072),
    ("block72", ["transformer.h.72"], 1812099072),
    ("block73", ["transformer.h.73"], 1812099072),
    ("block74", ["transformer.h.74"], 1812099072),
    ("block75", ["transformer.h.75"], 1812099072),
    ("block76", ["transformer.h.76"], 1812099072),
    ("block77", ["transformer.h.77"], 1812099072),
    ("block78", ["transformer.h.78"], 1812099072),
    ("block79", ["transformer.h.79"], 1812099072),
    ("block80", ["transformer.h.80"], 1812099072),
    ("block81", ["transformer.h.81"], 1812099072),
    ("block82", ["transformer.h.82"], 1812099072),
    ("block83", ["transformer.h.83"], 1812099072),
    ("block84", ["transformer.h.84"], 1812099072),
    ("block85", ["transformer.h.85"], 1812099072),
    ("block86", ["transformer.h.86"], 1812099072),
    ("block87", ["transformer.h.87"], 1812099072),
    ("block88", ["transformer.h.88"], 1812099072),
    ("block89", ["transformer.h.89"], 1812099072),
    ("block90", ["transformer.h.90"], 1812099072),
    ("block91", ["transformer.h.91"], 1812099072),
    ("block92", ["transformer.h.92"], 1812099072),
    ("block93", ["transformer.h.93"], 1812099072),
    ("block94", ["transformer.h.94"], 1812099072),
    ("block95", ["transformer.h.95"], 1812099072),
    ("head", ["transformer.ln_f", "lm_head"], 24576),
]
DS_CONFIG = json.loads("""
{
  "train_batch_size" : 1536,
  "train_micro_batch_size_per_gpu" : 1,
  "gradient_accumulation_steps" : 96,
  "bf16" : {
    "enabled" : true
  },
  "optimizer" : {
    "type" : "Adam"
  },
  "zero_optimization" : {
    "stage" : 1
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
