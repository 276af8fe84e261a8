package org.modelpar.workflow.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** Every flag a Megatron-LM export emits is one Megatron-LM's argument parser defines. */
class MegatronFlagsTest {
    /**
     * Flags of {@code megatron/training/arguments.py} in NVIDIA/Megatron-LM at commit
     * 307dcf37f03d44da131ba21999278abe4112d2ad ({@code group.add_argument('--...')}), the ones an export may emit.
     * {@code --decoder-first-pipeline-num-layers} and {@code --decoder-last-pipeline-num-layers} came to
     * {@code _add_distributed_args} after that commit (Megatron-Core's uneven pipeline split) and are listed from
     * that later parser.
     */
    static final Set<String> MEGATRON = Set.of(
            "--tensor-model-parallel-size", "--pipeline-model-parallel-size", "--micro-batch-size", "--global-batch-size",
            "--num-layers", "--hidden-size", "--ffn-hidden-size", "--num-attention-heads", "--group-query-attention",
            "--num-query-groups", "--seq-length", "--max-position-embeddings", "--position-embedding-type", "--normalization",
            "--swiglu", "--disable-bias-linear", "--attention-dropout", "--hidden-dropout",
            "--untie-embeddings-and-output-weights", "--bf16", "--fp16", "--optimizer", "--sequence-parallel",
            "--recompute-granularity", "--recompute-method", "--recompute-num-layers", "--data-path", "--tokenizer-type",
            "--tokenizer-model", "--vocab-file", "--merge-file", "--lr", "--train-iters",
            "--decoder-first-pipeline-num-layers", "--decoder-last-pipeline-num-layers");
    private static final Pattern FLAG = Pattern.compile("(?m)^\\s*(--[a-z0-9-]+)");

    @Test
    void everyEmittedFlagIsMegatrons() {
        ComputationGraph llama = ModelZoo.build("llama2-70b");
        int[] starts = {0, 11, 21, 31, 41, 51, 61, 71};
        Set<String> emitted = new TreeSet<>();
        emitted.addAll(flags(Exporter.export(llama, TestPlans.plan(llama, starts, 8, 8, 1, 64, Schedule.ONE_F_ONE_B, Precision.BF16, true),
                ExportFormat.MEGATRON).text()));
        PlacementPlan selective = TestPlans.plan(llama, starts, 8, 8, 1, 64, Schedule.ONE_F_ONE_B, Precision.FP16, false)
                .withOptions(PlanOptions.NONE.withSequenceParallel(true)).withRecomputation(Recompute.SELECTIVE);
        emitted.addAll(flags(Exporter.export(llama, selective, ExportFormat.MEGATRON).text()));
        ComputationGraph gpt3 = ModelZoo.build("gpt3-175b");
        emitted.addAll(flags(Exporter.export(gpt3, TestPlans.plan(gpt3, new int[] {0, 14, 26, 38, 50, 62, 74, 86}, 8, 8, 16, 96,
                Schedule.ONE_F_ONE_B, Precision.BF16, false), ExportFormat.MEGATRON).text()));
        assertThat(emitted).contains("--position-embedding-type", "--disable-bias-linear", "--hidden-dropout", "--tokenizer-model",
                "--merge-file", "--decoder-first-pipeline-num-layers");
        assertThat(emitted).allMatch(MEGATRON::contains, "a flag of Megatron-LM's arguments.py");
    }

    /** The export is a bash script: {@code bash -n} parses it (when bash is on the PATH). */
    @Test
    void theExportIsValidBash(@TempDir Path dir) throws Exception {
        ComputationGraph llama = ModelZoo.build("llama2-70b");
        Path script = Files.writeString(dir.resolve("llama.sh"), Exporter.export(llama,
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
