# Megatron-LM arguments for pretrain_gpt.py, exported by modelpar
# plan for graph 'llama2-70b' on cluster 'test-cluster'
# world size 64 = tensor 8 x pipeline 8 x data 1; 64 micro-batches per step (gradient accumulation)
# decoder layers per stage: 10 10 10 10 10 10 10 10
# vocabulary 32000: Megatron takes it from the tokenizer (--tokenizer-type, --vocab-file)
# schedule: Megatron-LM runs 1F1B; the plan's schedule is 1f1b
MEGATRON_ARGS=(
  --tensor-model-parallel-size 8
  --pipeline-model-parallel-size 8
  --micro-batch-size 1
  --global-batch-size 64
  --num-layers 80
  --hidden-size 8192
  --num-attention-heads 64
  --ffn-hidden-size 28672
  --seq-length 4096
  --max-position-embeddings 4096
  --position-embedding-type rope
  --normalization RMSNorm
  --swiglu
  --disable-bias-linear
  --attention-dropout 0.0
  --hidden-dropout 0.0
  --group-query-attention
  --num-query-groups 8
  --untie-embeddings-and-output-weights
  --bf16
  --optimizer adam
  --sequence-parallel
  --recompute-granularity full
  --recompute-method uniform
  --recompute-num-layers 1
)
# PLACEHOLDERS: modelpar knows neither your data, your tokenizer nor your learning-rate schedule; replace every "<...>" before launching
DATA_ARGS=(
  --data-path "<DATA_PREFIX>"
  --tokenizer-type Llama2Tokenizer
  --tokenizer-model "<TOKENIZER_MODEL>"
)
TRAINING_ARGS=(
  --lr "<LEARNING_RATE>"
  --train-iters "<TRAIN_ITERS>"
)
# launch: on each of the 64 / GPUS_PER_NODE nodes, NODE_RANK its index and MASTER_ADDR node 0's address
# torchrun --nproc-per-node "$GPUS_PER_NODE" --nnodes $((64 / GPUS_PER_NODE)) --node-rank "$NODE_RANK" --master-addr "$MASTER_ADDR" --master-port 6000 \
#     pretrain_gpt.py "${MEGATRON_ARGS[@]}" "${DATA_ARGS[@]}" "${TRAINING_ARGS[@]}"
