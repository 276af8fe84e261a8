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
# PLACEHOLDERS: modelpar knows neither your data, your tokenizer nor your learning-rate schedule; replace every "<...>" before launching
DATA_ARGS=(
  --data-path "<DATA_PREFIX>"
  --tokenizer-type GPT2BPETokenizer
  --vocab-file "<VOCAB_FILE>"
  --merge-file "<MERGE_FILE>"
)
TRAINING_ARGS=(
  --lr "<LEARNING_RATE>"
  --train-iters "<TRAIN_ITERS>"
)
# launch: on each of the 8 / GPUS_PER_NODE nodes, NODE_RANK its index and MASTER_ADDR node 0's address
# torchrun --nproc-per-node "$GPUS_PER_NODE" --nnodes $((8 / GPUS_PER_NODE)) --node-rank "$NODE_RANK" --master-addr "$MASTER_ADDR" --master-port 6000 \
#     pretrain_gpt.py "${MEGATRON_ARGS[@]}" "${DATA_ARGS[@]}" "${TRAINING_ARGS[@]}"
