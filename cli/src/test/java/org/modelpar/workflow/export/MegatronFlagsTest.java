package org.modelpar.workflow.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/** Every flag a Megatron-LM export emits is one Megatron-LM's argument parser defines. */
class MegatronFlagsTest {
    /**
     * Flags of {@code megatron/training/arguments.py} in NVIDIA/Megatron-LM at commit
     * 307dcf37f03d44da131ba21999278abe4112d2ad ({@code group.add_argument('--...')}), the ones an export may emit.
     * {@code --decoder-first-pipeline-num-layers} and {@code --decoder-last-pipeline-num-layers} came to
     * {@code _add_distributed_args} after that commit (Megatron-Core's uneven pipeline split) and are listed from
     * that later parser. {@code --use-distributed-optimizer} and {@code --num-layers-per-virtual-pipeline-stage}
     * ({@code _add_distributed_args}) and {@code --num-experts}, {@code --expert-model-parallel-size} and
     * {@code --moe-router-topk} ({@code _add_moe_args}) are read from the same commit, as are
     * {@code --moe-ffn-hidden-size}, {@code --moe-shared-expert-intermediate-size}, {@code --moe-layer-freq}
     * ({@code _add_moe_args}), {@code --multi-latent-attention} ({@code _add_network_size_args}) and
     * {@code --q-lora-rank}, {@code --kv-lora-rank}, {@code --qk-head-dim}, {@code --qk-pos-emb-head-dim},
     * {@code --v-head-dim} ({@code _add_mla_args}).
     */
    static final Set<String> MEGATRON = Set.of(
            "--tensor-model-parallel-size", "--pipeline-model-parallel-size", "--micro-batch-size", "--global-batch-size",
            "--num-layers", "--hidden-size", "--ffn-hidden-size", "--num-attention-heads", "--group-query-attention",
            "--num-query-groups", "--seq-length", "--max-position-embeddings", "--position-embedding-type", "--normalization",
            "--swiglu", "--disable-bias-linear", "--attention-dropout", "--hidden-dropout",
            "--untie-embeddings-and-output-weights", "--bf16", "--fp16", "--optimizer", "--sequence-parallel",
            "--recompute-granularity", "--recompute-method", "--recompute-num-layers", "--data-path", "--tokenizer-type",
            "--tokenizer-model", "--vocab-file", "--merge-file", "--lr", "--train-iters",
            "--decoder-first-pipeline-num-layers", "--decoder-last-pipeline-num-layers", "--use-distributed-optimizer",
            "--num-layers-per-virtual-pipeline-stage", "--num-experts", "--expert-model-parallel-size", "--moe-router-topk",
            "--moe-ffn-hidden-size", "--moe-shared-expert-intermediate-size", "--moe-layer-freq", "--multi-latent-attention",
            "--q-lora-rank", "--kv-lora-rank", "--qk-head-dim", "--qk-pos-emb-head-dim", "--v-head-dim");
    private static final Pattern FLAG = Pattern.compile("(?m)^\\s*(--[a-z0-9-]+)");

    @Test
    void everyEmittedFlagIsMegatrons() {
        ComputationGraph llama = ModelZoo.build("llama2-70b");
        int[] starts = {0, 11, 21, 31, 41, 51, 61, 71};
        Set<String> emitted = new TreeSet<>();
        emitted.addAll(flags(TestPlans.export(llama, TestPlans.plan(llama, starts, 8, 8, 1, 64, Schedule.ONE_F_ONE_B, Precision.BF16, true),
                ExportFormat.MEGATRON).text()));
        PlacementPlan selective = TestPlans.plan(llama, starts, 8, 8, 1, 64, Schedule.ONE_F_ONE_B, Precision.FP16, false)
                .withOptions(PlanOptions.NONE.withSequenceParallel(true)).withRecomputation(Recompute.SELECTIVE);
        emitted.addAll(flags(TestPlans.export(llama, selective, ExportFormat.MEGATRON).text()));
        ComputationGraph gpt3 = ModelZoo.build("gpt3-175b");
        emitted.addAll(flags(TestPlans.export(gpt3, TestPlans.plan(gpt3, new int[] {0, 14, 26, 38, 50, 62, 74, 86}, 8, 8, 16, 96,
                Schedule.ONE_F_ONE_B, Precision.BF16, false), ExportFormat.MEGATRON).text()));
        emitted.addAll(flags(TestPlans.export(ExporterTest.GPT3, ExporterTest.gpt3(), ExportFormat.MEGATRON).text()));
        emitted.addAll(flags(TestPlans.export(ExporterTest.MIXTRAL, ExporterTest.mixtral(), ExportFormat.MEGATRON).text()));
        emitted.addAll(flags(TestPlans.export(ExporterTest.GPT3, interleavedGpt3(), ExportFormat.MEGATRON).text()));
        emitted.addAll(flags(TestPlans.export(ExporterTest.DEEPSEEK, ExporterTest.deepseek(), ExportFormat.MEGATRON).text()));
        assertThat(emitted).contains("--position-embedding-type", "--disable-bias-linear", "--hidden-dropout", "--tokenizer-model",
                "--merge-file", "--decoder-first-pipeline-num-layers", "--use-distributed-optimizer",
                "--num-layers-per-virtual-pipeline-stage", "--num-experts", "--expert-model-parallel-size", "--moe-router-topk",
            "--moe-ffn-hidden-size", "--moe-shared-expert-intermediate-size", "--moe-layer-freq", "--multi-latent-attention",
            "--q-lora-rank", "--kv-lora-rank", "--qk-head-dim", "--qk-pos-emb-head-dim", "--v-head-dim");
        assertThat(emitted).allMatch(MEGATRON::contains, "a flag of Megatron-LM's arguments.py");
    }

    @Test
    void theFlagsFollowThePlan() {
        String gpt3 = TestPlans.export(ExporterTest.GPT3, ExporterTest.gpt3(), ExportFormat.MEGATRON).text();
        assertThat(gpt3).contains("  --use-distributed-optimizer\n").doesNotContain("--sequence-parallel").doesNotContain("--num-experts");
        String mixtral = TestPlans.export(ExporterTest.MIXTRAL, ExporterTest.mixtral(), ExportFormat.MEGATRON).text();
        assertThat(mixtral).contains("  --num-experts 8\n  --moe-router-topk 2\n  --expert-model-parallel-size 8\n",
                "  --sequence-parallel\n", "  --ffn-hidden-size 14336\n", "  --num-layers 32\n").doesNotContain("--use-distributed-optimizer");
        Export interleaved = TestPlans.export(ExporterTest.GPT3, interleavedGpt3(), ExportFormat.MEGATRON);
        // 96 blocks in 16 chunks of 6: 2 per pipeline stage of 8
        assertThat(interleaved.text()).contains("  --pipeline-model-parallel-size 8\n  --num-layers-per-virtual-pipeline-stage 6\n",
                "# schedule: interleaved 1F1B, 2 model chunks per pipeline stage\n");
        assertThat(interleaved.notes()).isEmpty();
        PlacementPlan zero3 = ExporterTest.gpt3().withOptions(PlanOptions.NONE.withZeroStage(3));
        assertThat(TestPlans.export(ExporterTest.GPT3, zero3, ExportFormat.MEGATRON).notes()).singleElement().asString()
                .contains("ZeRO stage 3").contains("shards only optimizer state and gradients");
    }

    /** DeepSeek-V3 exports the model it is: latent attention, 3 dense layers, 256 routed experts of 2048 and a shared one. */
    @Test
    void deepseekExportsLatentAttentionAndItsExpertLayout() {
        String text = TestPlans.export(ExporterTest.DEEPSEEK, ExporterTest.deepseek(), ExportFormat.MEGATRON).text();
        assertThat(text).contains("  --multi-latent-attention\n  --q-lora-rank 1536\n  --kv-lora-rank 512\n  --qk-head-dim 128\n"
                + "  --qk-pos-emb-head-dim 64\n  --v-head-dim 128\n", "  --ffn-hidden-size 18432\n", "  --num-layers 61\n",
                "  --num-experts 256\n  --moe-router-topk 8\n  --moe-ffn-hidden-size 2048\n"
                        + "  --moe-shared-expert-intermediate-size 2048\n  --moe-layer-freq \"[0]*3+[1]*58\"\n")
                .doesNotContain("--group-query-attention");
        assertThat(TestPlans.export(ExporterTest.MIXTRAL, ExporterTest.mixtral(), ExportFormat.MEGATRON).text())
                .doesNotContain("--moe-layer-freq").doesNotContain("--moe-ffn-hidden-size").doesNotContain("--multi-latent-attention");
        assertThat(MegatronExport.layerPattern(java.util.List.of(true, false, false, true))).isEqualTo("[1]*1+[0]*2+[1]*1");
    }

    /** GPT-3 175B interleaved: 16 chunks of 6 blocks, chunk s on the devices of stage s mod 8. */
    static PlacementPlan interleavedGpt3() {
        int[] starts = new int[16];
        for (int s = 1; s < 16; s++) {
            starts[s] = 1 + 6 * s;
        }
        PlacementPlan flat = TestPlans.plan(ExporterTest.GPT3, starts, 64, 8, 8, 96, Schedule.GPIPE, Precision.BF16, false);
        List<Stage> stages = flat.stages().stream()
                .map(s -> new Stage(s.index(), flat.stages().get(s.index() % 8).devices(), s.ops(), false)).toList();
        return new PlacementPlan(flat.graphName(), flat.graphHash(), flat.clusterName(), flat.clusterHash(), flat.precision(),
                flat.optimizer(), flat.globalBatchSize(), flat.microBatchSize(), flat.microBatches(), Schedule.INTERLEAVED,
                flat.tensorParallel(), stages, PlanOptions.NONE, 2);
    }

    /** The export is a bash script: {@code bash -n} parses it (when bash is on the PATH). */
    @Test
    void theExportIsValidBash(@TempDir Path dir) throws Exception {
        ComputationGraph llama = ModelZoo.build("llama2-70b");
        Path script = Files.writeString(dir.resolve("llama.sh"), TestPlans.export(llama,
                TestPlans.plan(llama, new int[] {0, 11, 21, 31, 41, 51, 61, 71}, 8, 8, 1, 64, Schedule.ONE_F_ONE_B, Precision.BF16, true),
                ExportFormat.MEGATRON).text());
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash");
        Process p = new ProcessBuilder("/bin/bash", "-n", script.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isZero();
    }

    private static Set<String> flags(String script) {
        Set<String> out = new TreeSet<>();
        Matcher m = FLAG.matcher(script);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
