# Megatron-LM arguments for pretrain_gpt.py, exported by modelpar
# plan for graph 'gpt2-small' on cluster 'test-cluster'
# world size 4 = tensor 1 x pipeline 4 x data 1; 8 micro-batches per step (gradient accumulation)
# decoder layers per stage: 2 5 3 2
# vocabulary 50257: Megatron takes it from the tokenizer (--tokenizer-type, --vocab-file)
# schedule: Megatron-LM runs 1F1B; the plan's schedule is gpipe
# NOTE: Megatron-LM needs the same number of decoder layers on every stage but the first and last; this plan has 2 5 3 2, so Megatron will split the layers its own way: export to deepspeed or torch to keep the plan's split
MEGATRON_ARGS=(
  --tensor-model-parallel-size 1
  --pipeline-model-parallel-size 4
  --micro-batch-size 4
  --global-batch-size 32
  --num-layers 12
  --hidden-size 768
  --num-attention-heads 12
  --seq-length 1024
  --max-position-embeddings 1024
  --fp16
  --optimizer adam
)
