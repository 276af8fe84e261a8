package org.modelpar.workflow.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

/** The DeepSpeed export is a Python script that compiles and whose config holds only keys DeepSpeed reads. */
class DeepSpeedScriptTest {
    /**
     * Config keys, as paths, from microsoft/DeepSpeed: {@code deepspeed/runtime/constants.py} at commit
     * 9fd8d7be9518a0d88f15c5b959b85ac520c5b90a (TRAIN_BATCH_SIZE, TRAIN_MICRO_BATCH_SIZE_PER_GPU,
     * GRADIENT_ACCUMULATION_STEPS, BFLOAT16 and BFLOAT16_ENABLED, FP16, FP16_ENABLED and FP16_LOSS_SCALE, OPTIMIZER,
     * TYPE and OPTIMIZER_PARAMS, STEPS_PER_PRINT, WALL_CLOCK_BREAKDOWN) and {@code deepspeed/runtime/zero/config.py} at
     * commit 50c6d6f244ea2f1237cfd580cd759233d469cdd3 (ZERO_OPTIMIZATION, DeepSpeedZeroConfig.stage).
     */
    static final Set<String> DEEPSPEED = Set.of("train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps",
            "bf16", "bf16.enabled", "fp16", "fp16.enabled", "fp16.loss_scale", "optimizer", "optimizer.type", "optimizer.params",
            "optimizer.params.lr", "steps_per_print", "wall_clock_breakdown", "zero_optimization", "zero_optimization.stage");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyConfigKeyIsDeepSpeeds() throws Exception {
        Set<String> keys = new TreeSet<>();
        keys.addAll(keys(config(TestPlans.export(ExporterTest.GPT3, ExporterTest.gpt3(), ExportFormat.DEEPSPEED).text()), ""));
        PlacementPlan fp16 = TestPlans.plan(ExporterTest.LLAMA2, new int[] {0, 41}, 8, 8, 8, 8, Schedule.GPIPE, Precision.FP16, false);
        keys.addAll(keys(config(TestPlans.export(ExporterTest.LLAMA2, fp16, ExportFormat.DEEPSPEED).text()), ""));
        assertThat(keys).contains("zero_optimization.stage", "bf16.enabled", "fp16.loss_scale");
        assertThat(keys).allMatch(DEEPSPEED::contains, "a config key of DeepSpeed's sources");
        // the script sets the learning rate under optimizer.params.lr
        assertThat(TestPlans.export(ExporterTest.GPT3, ExporterTest.gpt3(), ExportFormat.DEEPSPEED).text())
                .contains("optimizer=dict(DS_CONFIG[\"optimizer\"], params={\"lr\": learning_rate()})");
    }

    @Test
    void zeroStageHostfileAndLauncherComeFromThePlan() throws Exception {
        String script = TestPlans.export(ExporterTest.GPT3, ExporterTest.gpt3(), ExportFormat.DEEPSPEED).text();
        assertThat(config(script).get("zero_optimization").get("stage").asInt()).isOne();
        // 1,024 GPUs: 128 DGX A100 nodes of 8
        assertThat(script).contains("#   n0 slots=8\n", "#   n127 slots=8\n").doesNotContain("n128 slots")
                .contains("# deepspeed --hostfile hostfile --num_nodes 128 --num_gpus 8 --master_port 29500 this_script.py\n")
                .contains("PP, DP, TP = 8, 16, 8\n");
        assertThat(script.lines().filter(l -> l.matches("#   n\\d+ slots=8"))).hasSize(128);
    }

    @Test
    void zeroTwoAndInterleavedAreRefused() {
        PlacementPlan zero2 = ExporterTest.gpt3().withOptions(PlanOptions.NONE.withZeroStage(2));
        assertThatThrownBy(() -> TestPlans.export(ExporterTest.GPT3, zero2, ExportFormat.DEEPSPEED)).isInstanceOf(ExportException.class)
                .hasMessage("the plan uses ZeRO stage 2, but DeepSpeed's PipelineEngine accepts only ZeRO stage 0 or 1 with a"
                        + " PipelineModule: re-plan with ZeRO stage 1 or less, or export to megatron");
        PlacementPlan interleaved = MegatronFlagsTest.interleavedGpt3();
        assertThatThrownBy(() -> TestPlans.export(ExporterTest.GPT3, interleaved, ExportFormat.DEEPSPEED))
                .isInstanceOf(ExportException.class)
                .hasMessage("the deepspeed export runs one chunk of layers per pipeline stage, but the plan's interleaved schedule"
                        + " gives each of its 8 device groups 2 chunks: re-plan with --schedule 1f1b, or export to megatron");
    }

    @Test
    void theScriptCompiles(@TempDir Path dir) throws Exception {
        PyCompile.assertCompiles(dir, "mixtral.py",
                TestPlans.export(ExporterTest.MIXTRAL, ExporterTest.mixtral(), ExportFormat.DEEPSPEED).text());
    }

    /** The JSON between {@code DS_CONFIG = json.loads("""} and {@code """)}. */
    private static JsonNode config(String script) throws Exception {
        String start = "DS_CONFIG = json.loads(\"\"\"\n";
        int from = script.indexOf(start) + start.length();
        return JSON.readTree(script.substring(from, script.indexOf("\"\"\")", from)));
    }

    private static Set<String> keys(JsonNode node, String prefix) {
        Set<String> out = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix + e.getKey();
            out.add(path);
            if (e.getValue().isObject()) {
                out.addAll(keys(e.getValue(), path + "."));
            }
        }
        return out;
    }
}
