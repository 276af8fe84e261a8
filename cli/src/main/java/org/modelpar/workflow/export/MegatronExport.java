package org.modelpar.workflow.export;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Stage;

/**
 * Megatron-LM {@code pretrain_gpt.py} (or {@code pretrain_bert.py}) arguments as a bash array. Megatron splits the decoder layers
 * evenly over the pipeline stages; a plan whose first or last stage differs is expressed with
 * {@code --decoder-first-pipeline-num-layers}/{@code --decoder-last-pipeline-num-layers}, and any
 * other unevenness is reported in a note (Megatron would run its own even split).
 */
final class MegatronExport {
    private MegatronExport() {
    }

    static Export render(ExportContext ctx) {
        PlacementPlan plan = ctx.plan();
        TransformerShape shape = TransformerShape.of(ctx.graph()).orElseThrow(() -> new ExportException(
                "the megatron export needs a GPT-style graph (op 'embed' with attributes hidden, seq and vocab, and op"
                        + " 'block0.scores' with heads); graph '" + ctx.graph().name() + "' is not one"));
        int dp = ctx.dataParallel(ExportFormat.MEGATRON);
        int p = plan.pipelineDegree();
        int stages = plan.pipelineStages();
        List<Integer> blocks = IntStream.range(0, stages).mapToObj(s -> (int) ctx.partition().stageLayers(s).stream()
                .filter(ModuleNaming::isBlock).count()).toList();
        List<String> notes = new ArrayList<>();
        ctx.splitBackwardNote("Megatron-LM").ifPresent(notes::add);
        List<String> args = new ArrayList<>();
        args.add("--tensor-model-parallel-size " + plan.tensorParallel());
        args.add("--pipeline-model-parallel-size " + p);
        args.addAll(plan.virtualStages() > 1 ? virtualStages(blocks, p, notes) : unevenStages(blocks, notes));
        args.add("--micro-batch-size " + ctx.microBatchPerReplica(ExportFormat.MEGATRON));
        args.add("--global-batch-size " + plan.globalBatchSize());
        args.add("--num-layers " + shape.layers());
        args.add("--hidden-size " + shape.hidden());
        args.add("--num-attention-heads " + shape.heads());
        if (shape.ffnHidden() != 4 * shape.hidden()) {
            args.add("--ffn-hidden-size " + shape.ffnHidden());
        }
        args.add("--seq-length " + shape.seq());
        args.add("--max-position-embeddings " + shape.seq());
        if (ctx.naming() == ModuleNaming.LLAMA) {
            // LLaMA (Touvron et al., 2023): rotary positions, RMSNorm, SwiGLU, no biases, no dropout
            args.add("--position-embedding-type rope");
            args.add("--normalization RMSNorm");
            args.add("--swiglu");
            args.add("--disable-bias-linear");
            args.add("--attention-dropout 0.0");
            args.add("--hidden-dropout 0.0");
        }
        shape.latent().ifPresent(l -> {
            // Megatron-Core's multi-latent attention (megatron/training/arguments.py, _add_mla_args)
            args.add("--multi-latent-attention");
            if (l.queryRank() > 0) {
                args.add("--q-lora-rank " + l.queryRank());
            }
            args.add("--kv-lora-rank " + l.keyValueRank());
            args.add("--qk-head-dim " + l.qkHeadDim());
            args.add("--qk-pos-emb-head-dim " + l.ropeHeadDim());
            args.add("--v-head-dim " + l.valueHeadDim());
        });
        if (shape.kvHeads() != shape.heads()) {
            args.add("--group-query-attention");
            args.add("--num-query-groups " + shape.kvHeads());
        }
        if (ctx.graph().op("logits").map(op -> !op.attributes().containsKey("tiedTo")).orElse(false)) {
            args.add("--untie-embeddings-and-output-weights");
        }
        switch (plan.precision()) {
            case BF16 -> args.add("--bf16");
            case FP16 -> args.add("--fp16");
            case FP32 -> { }
        }
        args.add("--optimizer " + plan.optimizer().jsonName());
        args.addAll(parallelismOptions(plan, shape, notes));
        List<Integer> recompute = ctx.recomputingStages();
        List<Integer> selective = plan.stages().stream().filter(s -> s.recomputation() == Recompute.SELECTIVE)
                .map(Stage::index).toList();
        if (recompute.isEmpty() && !selective.isEmpty()) {
            args.add("--recompute-granularity selective");
            if (selective.size() < stages) {
                notes.add("only stages " + ExportContext.list(selective) + " recompute the attention core, but Megatron-LM"
                        + " recomputes it on every stage");
            }
        }
        if (!recompute.isEmpty()) {
            if (!selective.isEmpty()) {
                notes.add("stages " + ExportContext.list(selective) + " recompute only the attention core, but Megatron-LM"
                        + " takes one granularity: full");
            }
            args.add("--recompute-granularity full");
            args.add("--recompute-method uniform");
            args.add("--recompute-num-layers 1");
            if (recompute.size() < stages) {
                notes.add("only stages " + ExportContext.list(recompute) + " recompute activations, but Megatron-LM"
                        + " recomputes on every stage");
            }
        }

        StringBuilder out = new StringBuilder();
        out.append("# Megatron-LM arguments for ").append(ctx.naming() == ModuleNaming.BERT ? "pretrain_bert.py" : "pretrain_gpt.py")
                .append(", exported by modelpar\n");
        out.append("# plan for graph '").append(ctx.source().get("graph").asText()).append("' on cluster '")
                .append(plan.clusterName()).append("'\n");
        out.append("# world size ").append(plan.devices().size()).append(" = tensor ").append(plan.tensorParallel())
                .append(" x pipeline ").append(p).append(" x data ").append(dp).append("; ")
                .append(plan.microBatches()).append(" micro-batches per step (gradient accumulation)\n");
        out.append("# decoder layers per stage: ").append(String.join(" ", blocks.stream().map(String::valueOf).toList())).append('\n');
        out.append("# vocabulary ").append(shape.vocab()).append(": Megatron takes it from the tokenizer (--tokenizer-type, --vocab-file)\n");
        out.append(plan.virtualStages() > 1
                ? "# schedule: interleaved 1F1B, " + plan.virtualStages() + " model chunks per pipeline stage\n"
                : "# schedule: Megatron-LM runs 1F1B; the plan's schedule is " + plan.schedule().jsonName() + "\n");
        notes.forEach(n -> out.append("# NOTE: ").append(n).append('\n'));
        out.append("MEGATRON_ARGS=(\n");
        args.forEach(a -> out.append("  ").append(a).append('\n'));
        out.append(")\n");
        boolean llama = ctx.naming() == ModuleNaming.LLAMA;
        out.append("# PLACEHOLDERS: modelpar knows neither your data, your tokenizer nor your learning-rate schedule;"
                + " replace every \"<...>\" before launching\n");
        out.append("DATA_ARGS=(\n  --data-path \"<DATA_PREFIX>\"\n");
        out.append(llama ? "  --tokenizer-type Llama2Tokenizer\n  --tokenizer-model \"<TOKENIZER_MODEL>\"\n"
                : "  --tokenizer-type GPT2BPETokenizer\n  --vocab-file \"<VOCAB_FILE>\"\n  --merge-file \"<MERGE_FILE>\"\n");
        out.append(")\nTRAINING_ARGS=(\n  --lr \"<LEARNING_RATE>\"\n  --train-iters \"<TRAIN_ITERS>\"\n)\n");
        out.append("# launch: on each of the ").append(plan.devices().size())
                .append(" / GPUS_PER_NODE nodes, NODE_RANK its index and MASTER_ADDR node 0's address\n");
        out.append("# torchrun --nproc-per-node \"$GPUS_PER_NODE\" --nnodes $((").append(plan.devices().size())
                .append(" / GPUS_PER_NODE)) --node-rank \"$NODE_RANK\" --master-addr \"$MASTER_ADDR\" --master-port 6000 \\\n")
                .append("#     ").append(ctx.naming() == ModuleNaming.BERT ? "pretrain_bert.py" : "pretrain_gpt.py")
                .append(" \"${MEGATRON_ARGS[@]}\" \"${DATA_ARGS[@]}\" \"${TRAINING_ARGS[@]}\"\n");
        return new Export(ExportFormat.MEGATRON, out.toString(), notes);
    }

    /**
     * Sequence parallelism, the distributed optimizer for ZeRO (Megatron-LM shards optimizer state and
     * gradients over the data-parallel group, not parameters), and the mixture of experts with its expert
     * parallelism (Megatron-Core MoE).
     */
    private static List<String> parallelismOptions(PlacementPlan plan, TransformerShape shape, List<String> notes) {
        List<String> args = new ArrayList<>();
        if (plan.options().sequenceParallel()) {
            args.add("--sequence-parallel");
        }
        int zero = plan.options().zeroStage();
        if (zero >= 1) {
            args.add("--use-distributed-optimizer");
        }
        if (zero == 3) {
            notes.add("the plan shards parameters (ZeRO stage 3), but Megatron-LM's distributed optimizer shards only optimizer"
                    + " state and gradients: each GPU keeps its stage's full parameters");
        }
        shape.experts().ifPresent(e -> {
            args.add("--num-experts " + e.count());
            args.add("--moe-router-topk " + e.topK());
            if (e.ffnHidden() != shape.ffnHidden()) {
                args.add("--moe-ffn-hidden-size " + e.ffnHidden());
            }
            if (e.sharedHidden() > 0) {
                args.add("--moe-shared-expert-intermediate-size " + e.sharedHidden());
            }
            if (e.moeLayers().contains(false)) {
                args.add("--moe-layer-freq \"" + layerPattern(e.moeLayers()) + "\"");
            }
        });
        if (plan.options().expertParallel() > 1) {
            args.add("--expert-model-parallel-size " + plan.options().expertParallel());
        }
        return args;
    }

    /**
     * Megatron-LM's {@code --moe-layer-freq} list expression: runs of dense (0) and expert (1) layers, e.g.
     * {@code [0]*3+[1]*58} for DeepSeek-V3's three dense layers first.
     */
    static String layerPattern(List<Boolean> moeLayers) {
        List<String> runs = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= moeLayers.size(); i++) {
            if (i == moeLayers.size() || !moeLayers.get(i).equals(moeLayers.get(start))) {
                runs.add("[" + (moeLayers.get(start) ? 1 : 0) + "]*" + (i - start));
                start = i;
            }
        }
        return String.join("+", runs);
    }

    /**
     * Arguments for an interleaved plan: Megatron-LM gives model chunk j of pipeline rank r the layers of
     * stage {@code j p + r} (Narayanan et al., SC'21, section 2.2), the same number in every chunk.
     */
    static List<String> virtualStages(List<Integer> blocks, int p, List<String> notes) {
        if (blocks.stream().distinct().count() > 1) {
            notes.add("Megatron-LM's interleaved schedule needs the same number of decoder layers in every model chunk;"
                    + " this plan has " + String.join(" ", blocks.stream().map(String::valueOf).toList())
                    + ", so Megatron will split the layers its own way");
            return List.of();
        }
        if (p <= 2) {
            notes.add("Megatron-LM's interleaved schedule needs a pipeline of more than 2 stages; this plan has " + p);
        }
        return List.of("--num-layers-per-virtual-pipeline-stage " + blocks.get(0));
    }

    /**
     * Arguments for a plan whose stages hold different numbers of decoder layers: Megatron-Core takes the
     * first and last stage's counts and splits the rest evenly over the middle stages.
     */
    static List<String> unevenStages(List<Integer> blocks, List<String> notes) {
        int p = blocks.size();
        if (blocks.stream().distinct().count() <= 1) {
            return List.of();
        }
        if (p == 2) {
            return List.of("--decoder-first-pipeline-num-layers " + blocks.get(0));
        }
        List<Integer> middle = blocks.subList(1, p - 1);
        if (middle.stream().distinct().count() > 1) {
            notes.add("Megatron-LM needs the same number of decoder layers on every stage but the first and last;"
                    + " this plan has " + String.join(" ", blocks.stream().map(String::valueOf).toList())
                    + ", so Megatron will split the layers its own way: export to deepspeed or torch to keep the plan's split");
            return List.of();
        }
        List<String> args = new ArrayList<>();
        if (!blocks.get(0).equals(middle.get(0))) {
            args.add("--decoder-first-pipeline-num-layers " + blocks.get(0));
        }
        if (!blocks.get(p - 1).equals(middle.get(0))) {
            args.add("--decoder-last-pipeline-num-layers " + blocks.get(p - 1));
        }
        return args;
    }
}
