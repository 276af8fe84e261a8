# Megatron-LM arguments for pretrain_gpt.py, exported by modelpar
# plan for graph 'gpt2-small' on cluster 'test-cluster'
# world size 8 = tensor 1 x pipeline 4 x data 2; 16 micro-batches per step (gradient accumulation)
# decoder layers per stage: 3 3 3 3
# vocabulary 50257: Megatron takes it from the tokenizer (--tokenizer-type, --vocab-file)
# schedule: Megatron-LM runs 1F1B; the plan's schedule is 1f1b
MEGATRON_ARGS=(
  --tensor-model-parallel-size 1
  --pipeline-model-parallel-size 4
  --micro-batch-size 4
  --global-batch-size 128
  --num-layers 12
  --hidden-size 768
  --num-attention-heads 12
  --seq-length 1024
  --max-position-embeddings 1024
  --bf16
  --optimizer adam
  --recompute-granularity full
  --recompute-method uniform
  --recompute-num-layers 1
)
