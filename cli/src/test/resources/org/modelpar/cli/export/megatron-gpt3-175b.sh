# Megatron-LM arguments for pretrain_gpt.py, exported by modelpar
# plan for graph 'gpt3-175b' on cluster 'test-cluster'
# world size 1024 = tensor 8 x pipeline 8 x data 16; 96 micro-batches per step (gradient accumulation)
# decoder layers per stage: 12 12 12 12 12 12 12 12
# vocabulary 51200: Megatron takes it from the tokenizer (--tokenizer-type, --vocab-file)
# schedule: Megatron-LM runs 1F1B; the plan's schedule is 1f1b
MEGATRON_ARGS=(
  --tensor-model-parallel-size 8
  --pipeline-model-parallel-size 8
  --micro-batch-size 1
  --global-batch-size 1536
  --num-layers 96
  --hidden-size 12288
  --num-attention-heads 96
  --seq-length 2048
  --max-position-embeddings 2048
  --bf16
  --optimizer adam
  --use-distributed-optimizer
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
# launch: on each of the 1024 / GPUS_PER_NODE nodes, NODE_RANK its index and MASTER_ADDR node 0's address
# torchrun --nproc-per-node "$GPUS_PER_NODE" --nnodes $((1024 / GPUS_PER_NODE)) --node-rank "$NODE_RANK" --master-addr "$MASTER_ADDR" --master-port 6000 \
#     pretrain_gpt.py "${MEGATRON_ARGS[@]}" "${DATA_ARGS[@]}" "${TRAINING_ARGS[@]}"
