package org.modelpar.workflow.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/**
 * Golden-file tests of the three exports. Regenerate the golden files after an intended change with
 * {@code -Dmodelpar.updateGolden=true} and review the diff.
 */
class ExporterTest {
    /** GPT-2 small from the zoo. Layers: embedding, block0..11, head. */
    private static final ComputationGraph GPT = ModelZoo.build("gpt2-small");
    static final ComputationGraph GPT3 = ModelZoo.build("gpt3-175b");
    static final ComputationGraph LLAMA2 = ModelZoo.build("llama2-70b");
    static final ComputationGraph MIXTRAL = ModelZoo.build("mixtral-8x7b");
    static final ComputationGraph DEEPSEEK = ModelZoo.build("deepseek-v3");

    /** 4 stages of 2 data-parallel replicas: embedding+3 blocks, 3, 3, 3 blocks+head; 1F1B, bf16, recompute. */
    private static PlacementPlan fourStages() {
        return TestPlans.plan(GPT, new int[] {0, 4, 7, 10}, 2, 1, 8, 16, Schedule.ONE_F_ONE_B, Precision.BF16, true);
    }

    @Test
    void deepspeedGolden() throws IOException {
        assertGolden("deepspeed-gpt2-4stages.py", TestPlans.export(GPT, fourStages(), ExportFormat.DEEPSPEED).text());
    }

    @Test
    void torchGolden() throws IOException {
        assertGolden("torch-gpt2-4stages.py", TestPlans.export(GPT, fourStages(), ExportFormat.TORCH).text());
    }

    @Test
    void megatronGolden() throws IOException {
        assertGolden("megatron-gpt2-4stages.sh", TestPlans.export(GPT, fourStages(), ExportFormat.MEGATRON).text());
    }

    @Test
    void megatronUnevenMiddleGolden() throws IOException {
        // blocks per stage 2 5 3 2: not expressible, so a note
        PlacementPlan plan = TestPlans.plan(GPT, new int[] {0, 3, 8, 11}, 1, 1, 4, 8, Schedule.GPIPE, Precision.FP16, false);
        Export export = TestPlans.export(GPT, plan, ExportFormat.MEGATRON);
        assertThat(export.notes()).singleElement().asString().contains("this plan has 2 5 3 2");
        assertGolden("megatron-gpt2-uneven.sh", export.text());
    }

    @Test
    void torchGpipeTensorParallelGolden() throws IOException {
        PlacementPlan plan = TestPlans.plan(GPT, new int[] {0, 7}, 4, 2, 4, 4, Schedule.GPIPE, Precision.FP32, false);
        assertGolden("torch-gpt2-gpipe-tp2.py", TestPlans.export(GPT, plan, ExportFormat.TORCH).text());
    }

    @Test
    void deepspeedPartsAreLayerBoundaries() {
        Export export = TestPlans.export(GPT, fourStages(), ExportFormat.DEEPSPEED);
        assertThat(export.text()).contains("PARTS = [0, 4, 7, 10, 14]\n")
                .contains("\"train_batch_size\" : 128")
                .contains("\"train_micro_batch_size_per_gpu\" : 4")
                .contains("\"gradient_accumulation_steps\" : 16");
    }

    @Test
    void megatronFirstAndLastStagesMayDiffer() {
        List<String> notes = new ArrayList<>();
        assertThat(MegatronExport.unevenStages(List.of(2, 4, 4, 2), notes))
                .containsExactly("--decoder-first-pipeline-num-layers 2", "--decoder-last-pipeline-num-layers 2");
        assertThat(MegatronExport.unevenStages(List.of(3, 4, 4, 4), notes)).containsExactly("--decoder-first-pipeline-num-layers 3");
        assertThat(MegatronExport.unevenStages(List.of(5, 7), notes)).containsExactly("--decoder-first-pipeline-num-layers 5");
        assertThat(MegatronExport.unevenStages(List.of(3, 3, 3), notes)).isEmpty();
        assertThat(notes).isEmpty();
    }

    @Test
    void boundaryInsideLayerIsRefusedNamingStageAndOp() {
        PlacementPlan good = fourStages();
        List<Stage> stages = new ArrayList<>(good.stages());
        // move block2.fc1 .. block2.add2 (the tail of stage 0's last block) to stage 1
        List<String> s0 = new ArrayList<>(stages.get(0).ops());
        List<String> moved = s0.subList(s0.indexOf("block2.fc1"), s0.size());
        List<String> s1 = new ArrayList<>(moved);
        s1.addAll(stages.get(1).ops());
        List<String> kept = new ArrayList<>(s0.subList(0, s0.indexOf("block2.fc1")));
        stages.set(0, new Stage(0, stages.get(0).devices(), kept, true));
        stages.set(1, new Stage(1, stages.get(1).devices(), s1, true));
        PlacementPlan cut = new PlacementPlan(good.graphName(), good.graphHash(), good.clusterName(), good.clusterHash(),
                good.precision(), good.optimizer(), good.globalBatchSize(), good.microBatchSize(), good.microBatches(),
                good.schedule(), good.tensorParallel(), stages);
        for (ExportFormat format : ExportFormat.values()) {
            assertThatThrownBy(() -> TestPlans.export(GPT, cut, format)).isInstanceOf(ExportException.class)
                    .hasMessageContaining("stage 1 boundary cuts layer 'block2'")
                    .hasMessageContaining("op 'block2.fc1' is on stage 1")
                    .hasMessageContaining("op 'block2.ln1' on stage 0");
        }
    }

    @Test
    void unequalDataParallelIsRefused() {
        PlacementPlan even = TestPlans.plan(GPT, new int[] {0, 7}, 2, 1, 4, 4, Schedule.GPIPE, Precision.FP32, false);
        List<Stage> stages = List.of(even.stages().get(0),
                new Stage(1, List.of("n0g2", "n0g3", "n0g4", "n0g5"), even.stages().get(1).ops(), false));
        PlacementPlan uneven = new PlacementPlan("g", "", "c", "", Precision.FP32, even.optimizer(), 16, 4, 4,
                Schedule.GPIPE, 1, stages);
        assertThatThrownBy(() -> TestPlans.export(GPT, uneven, ExportFormat.DEEPSPEED)).isInstanceOf(ExportException.class)
                .hasMessage("stage 1 has 4 data-parallel replicas but stage 0 has 2;"
                        + " the deepspeed export needs the same data-parallel degree on every stage");
    }

    @Test
    void aDeviceOutsideTheClusterIsRefused() {
        // two stages of 8 GPUs: node n1 is not in a one-node cluster
        PlacementPlan plan = TestPlans.plan(GPT, new int[] {0, 7}, 8, 1, 8, 8, Schedule.GPIPE, Precision.FP32, false);
        assertThatThrownBy(() -> Exporter.export(GPT, plan, TestPlans.cluster(8), ExportFormat.DEEPSPEED))
                .isInstanceOf(ExportException.class).hasMessage("plan device 'n1g0' is not a device of cluster 'dgx-a100:1'");
    }

    @Test
    void megatronNeedsADecoder() {
        ComputationGraph mlp = ModelZoo.build("mlp-small");
        PlacementPlan plan = TestPlans.plan(mlp, new int[] {0, 3}, 1, 1, 2, 2, Schedule.GPIPE, Precision.FP32, false);
        assertThatThrownBy(() -> TestPlans.export(mlp, plan, ExportFormat.MEGATRON))
                .hasMessageContaining("graph 'mlp-small' is not one");
        assertThat(TestPlans.export(mlp, plan, ExportFormat.TORCH).text()).contains("\"layer3\": SplitPoint.BEGINNING,")
                .contains("no known module hierarchy");
    }

    /** GPT-3 175B as Narayanan et al. (SC'21) train it, with the distributed optimizer (ZeRO stage 1). */
    static PlacementPlan gpt3() {
        // 96 blocks over 8 stages of tensor-parallel 8, data-parallel 16
        int[] starts = {0, 13, 25, 37, 49, 61, 73, 85};
        return TestPlans.plan(GPT3, starts, 128, 8, 16, 96, Schedule.ONE_F_ONE_B, Precision.BF16, false)
                .withOptions(PlanOptions.NONE.withZeroStage(1));
    }

    /** LLaMA 2 70B: 80 blocks over 8 stages of tensor-parallel 8 with sequence parallelism, recomputing. */
    static PlacementPlan llama2() {
        int[] starts = {0, 11, 21, 31, 41, 51, 61, 71};
        return TestPlans.plan(LLAMA2, starts, 8, 8, 1, 64, Schedule.ONE_F_ONE_B, Precision.BF16, true)
                .withOptions(PlanOptions.NONE.withSequenceParallel(true));
    }

    /** Mixtral 8x7B: 32 blocks over 4 stages of tensor-parallel 2, data- and expert-parallel 8. */
    static PlacementPlan mixtral() {
        int[] starts = {0, 9, 17, 25};
        return TestPlans.plan(MIXTRAL, starts, 16, 2, 8, 32, Schedule.ONE_F_ONE_B, Precision.BF16, false)
                .withOptions(PlanOptions.NONE.withSequenceParallel(true).withExpertParallel(8));
    }

    /**
     * DeepSeek-V3: embedding, 61 blocks and the head over 8 stages of 64 devices (tensor 1, data and expert 64),
     * 9 + 6 x 8 + 6 layers.
     */
    static PlacementPlan deepseek() {
        int[] starts = {0, 9, 17, 25, 33, 41, 49, 57};
        return TestPlans.plan(DEEPSEEK, starts, 64, 1, 64, 16, Schedule.ONE_F_ONE_B, Precision.BF16, false)
                .withOptions(PlanOptions.NONE.withExpertParallel(64));
    }

    @Test
    void deepseekGoldens() throws IOException {
        assertGoldens("deepseek-v3", DEEPSEEK, deepseek());
    }

    @Test
    void gpt3Goldens() throws IOException {
        assertGoldens("gpt3-175b", GPT3, gpt3());
    }

    @Test
    void llama2Goldens() throws IOException {
        assertGoldens("llama2-70b", LLAMA2, llama2());
    }

    @Test
    void mixtralGoldens() throws IOException {
        assertGoldens("mixtral-8x7b", MIXTRAL, mixtral());
    }

    private static void assertGoldens(String name, ComputationGraph graph, PlacementPlan plan) throws IOException {
        assertGolden("megatron-" + name + ".sh", TestPlans.export(graph, plan, ExportFormat.MEGATRON).text());
        assertGolden("deepspeed-" + name + ".py", TestPlans.export(graph, plan, ExportFormat.DEEPSPEED).text());
        assertGolden("torch-" + name + ".py", TestPlans.export(graph, plan, ExportFormat.TORCH).text());
    }

    @Test
    void megatronTakesSequenceParallelismAndSelectiveRecomputation() {
        ComputationGraph llama = ModelZoo.build("llama2-70b");
        int[] starts = {0, 11, 21, 31, 41, 51, 61, 71};
        PlacementPlan plan = TestPlans.plan(llama, starts, 8, 8, 1, 64, Schedule.ONE_F_ONE_B, Precision.BF16, false)
                .withOptions(PlanOptions.NONE.withSequenceParallel(true)).withRecomputation(org.modelpar.simulator.plan.Recompute.SELECTIVE);
        Export export = TestPlans.export(llama, plan, ExportFormat.MEGATRON);
        assertThat(export.text()).contains("--sequence-parallel").contains("--recompute-granularity selective")
                .doesNotContain("--recompute-method");
        assertThat(export.notes()).isEmpty();
    }

    @Test
    void aZeroBubblePlanSaysEveryExportRuns1F1B() {
        PlacementPlan plan = TestPlans.plan(GPT, new int[] {0, 4, 7, 10}, 2, 1, 8, 16, Schedule.ZB_H1, Precision.BF16, false);
        for (ExportFormat format : ExportFormat.values()) {
            assertThat(TestPlans.export(GPT, plan, format).notes()).as(format.name())
                    .anySatisfy(n -> assertThat(n).startsWith("the plan uses the zb-h1 schedule").contains("runs 1F1B"));
        }
        assertThat(TestPlans.export(GPT, fourStages(), ExportFormat.TORCH).notes()).noneMatch(n -> n.contains("zb-h1"));
    }

    @Test
    void bertTorchGolden() throws IOException {
        ComputationGraph bert = ModelZoo.build("bert-large");
        PlacementPlan plan = TestPlans.plan(bert, new int[] {0, 13}, 1, 1, 8, 4, Schedule.ONE_F_ONE_B, Precision.FP16, false);
        assertGolden("torch-bert-large.py", TestPlans.export(bert, plan, ExportFormat.TORCH).text());
    }

    static void assertGolden(String name, String actual) throws IOException {
        Path golden = goldenDir().resolve(name);
        if (Boolean.getBoolean("modelpar.updateGolden")) {
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertThat(golden).as("golden file %s (regenerate with -Dmodelpar.updateGolden=true)", golden).exists();
        assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }

    private static Path goldenDir() {
        return Path.of(System.getProperty("modelpar.root", "."), "cli/src/test/resources/org/modelpar/cli/export");
    }
}
