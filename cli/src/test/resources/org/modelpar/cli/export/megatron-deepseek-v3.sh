# Megatron-LM arguments for pretrain_gpt.py, exported by modelpar
# plan for graph 'deepseek-v3' on cluster 'test-cluster'
# world size 512 = tensor 1 x pipeline 8 x data 64; 16 micro-batches per step (gradient accumulation)
# decoder layers per stage: 8 8 8 8 8 8 8 5
# vocabulary 129280: Megatron takes it from the tokenizer (--tokenizer-type, --vocab-file)
# schedule: Megatron-LM runs 1F1B; the plan's schedule is 1f1b
MEGATRON_ARGS=(
  --tensor-model-parallel-size 1
  --pipeline-model-parallel-size 8
  --decoder-last-pipeline-num-layers 5
  --micro-batch-size 1
  --global-batch-size 1024
  --num-layers 61
  --hidden-size 7168
  --num-attention-heads 128
  --ffn-hidden-size 18432
  --seq-length 4096
  --max-position-embeddings 4096
  --position-embedding-type rope
  --normalization RMSNorm
  --swiglu
  --disable-bias-linear
  --attention-dropout 0.0
  --hidden-dropout 0.0
  --multi-latent-attention
  --q-lora-rank 1536
  --kv-lora-rank 512
  --qk-head-dim 128
  --qk-pos-emb-head-dim 64
  --v-head-dim 128
  --untie-embeddings-and-output-weights
  --bf16
  --optimizer adam
  --num-experts 256
  --moe-router-topk 8
  --moe-ffn-hidden-size 2048
  --moe-shared-expert-intermediate-size 2048
  --moe-layer-freq "[0]*3+[1]*58"
  --expert-model-parallel-size 64
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
# launch: on each of the 512 / GPUS_PER_NODE nodes, NODE_RANK its index and MASTER_ADDR node 0's address
# torchrun --nproc-per-node "$GPUS_PER_NODE" --nnodes $((512 / GPUS_PER_NODE)) --node-rank "$NODE_RANK" --master-addr "$MASTER_ADDR" --master-port 6000 \
#     pretrain_gpt.py "${MEGATRON_ARGS[@]}" "${DATA_ARGS[@]}" "${TRAINING_ARGS[@]}"
