package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void sameCommandTwiceGivesByteIdenticalPlanFiles(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        Run first = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "32", "--seed", "7",
                "--out", a.toString());
        Run second = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "32", "--seed", "7",
                "--out", b.toString());
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(second.code()).isZero();
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        assertThat(first.out()).contains("bottleneck: stage").contains("runner-up");
    }

    @Test
    void jsonHasDesignKeys() {
        Run r = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2",
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"format\" : \"modelpar-plan/1\"", "\"microBatches\"", "\"computeSeconds\"",
                "\"predicted\"", "\"explanation\"");
        assertThat(r.out()).contains("\"index\" : 1");
    }

    @Test
    void aFixedZeroBubbleScheduleIsPlannedWithoutRecomputation() {
        Run r = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2",
                "--schedule", "zb-h1", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"schedule\" : \"zb-h1\"").doesNotContain("\"recompute\" : true");
    }

    @Test
    void aFixedInterleavedScheduleIsPlannedWithItsModelChunks() {
        Run r = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2",
                "--microbatches", "8", "--schedule", "interleaved", "--virtual-stages", "3", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"schedule\" : \"interleaved\"", "\"virtualStages\" : 3", "\"index\" : 5");
        Run bad = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16",
                "--virtual-stages", "2");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("modelpar: --virtual-stages 2: model chunks per device group need"
                + " --schedule interleaved and at least 2 chunks");
        Run local = run("plan", "--model", "gpt-mini", "--cluster", "local:2", "--global-batch", "8", "--pp", "2",
                "--microbatches", "4", "--schedule", "interleaved", "--virtual-stages", "2", "--json");
        assertThat(local.code()).as("the executor runs model chunks: %s", local.err()).isZero();
        assertThat(local.out()).contains("\"schedule\" : \"interleaved\"", "\"virtualStages\" : 2");
    }

    /** ND4J's CPU kernels run 16-bit types many times slower than fp32: local workers train in fp32 unless asked. */
    @Test
    void aLocalClusterIsPlannedInFp32AndAcceleratorsInBf16UnlessAPrecisionIsGiven() {
        String[] common = {"plan", "--model", "gpt-mini", "--global-batch", "8", "--pp", "2", "--json", "--cluster"};
        Run local = run(concat(common, "local:2"));
        Run gpus = run(concat(common, "dgx-a100"));
        Run asked = run(concat(common, "local:2", "--precision", "bf16"));
        assertThat(local.code()).as(local.err()).isZero();
        assertThat(local.out()).contains("\"precision\" : \"fp32\"");
        assertThat(gpus.out()).contains("\"precision\" : \"bf16\"");
        assertThat(asked.out()).contains("\"precision\" : \"bf16\"");
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    void gpt3OnOneNodeExitsThreeWithNumbers() {
        Run r = run("plan", "--model", "gpt3-175b", "--cluster", "dgx-a100", "--global-batch", "1536");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("GiB per device on n0g").contains("capacity 80.00 GiB").contains("more a100");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }

    @Test
    void impossibleFixedDegreesAreBadInput() {
        Run r = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "8", "--pp", "3");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--pp 3 cannot work on 8 devices of cluster 'dgx-a100'");
    }

    @Test
    void badDurationIsUsageError() {
        Run r = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "8", "--time-limit", "soon");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--time-limit");
    }

    @Test
    void planOptionsAreFixedOnTheCommandLineAndExplainedInWords() {
        Run r = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2", "--tp", "2",
                "--sequence-parallel", "on", "--overlap-grad-reduce", "off");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("sequence-parallel").doesNotContain("overlap-grad-reduce")
                .contains("constraint bottleneckStage: binds on stage").doesNotContain("hard/").doesNotContain("soft");
        Run bad = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16", "--sequence-parallel", "yes");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("modelpar: --sequence-parallel must be on or off, got 'yes'");
    }

    @Test
    void aFixedZeroStageIsInThePlanFileAndTheLabel() {
        Run r = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2", "--tp", "2",
                "--zero-stage", "2", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"zeroStage\" : 2").contains(" zero-2");
        Run local = run("plan", "--model", "gpt-mini", "--cluster", "local:2", "--global-batch", "8", "--dp", "2",
                "--zero-stage", "3", "--json");
        assertThat(local.code()).as("the executor shards parameters too: %s", local.err()).isZero();
        assertThat(local.out()).contains("\"zeroStage\" : 3");
    }

    @Test
    void badShardingIsBadInput() {
        Run zero = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16", "--zero-stage", "4");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err().strip()).isEqualTo("modelpar: --zero-stage must be 0, 1, 2 or 3, got 4");
        Run local = run("plan", "--model", "moe-tiny", "--cluster", "local:2", "--global-batch", "16", "--zero-stage", "3",
                "--schedule", "zb-h1");
        assertThat(local.code()).isEqualTo(2);
        assertThat(local.err().strip()).startsWith("modelpar: --zero-stage 3 is not trained by the runtime of this cluster: the"
                + " executor ").doesNotContain("\n");
        Run expert = run("plan", "--model", "mixtral-8x7b", "--cluster", "dgx-a100", "--global-batch", "16",
                "--expert-parallel", "3");
        assertThat(expert.code()).isEqualTo(2);
        assertThat(expert.err().strip()).startsWith("modelpar: --expert-parallel 3 cannot work on 8 devices of cluster"
                + " 'dgx-a100': the data degree d must be a multiple of it, and d can be ");
    }

    @Test
    void anExpertDegreeOnAGraphWithoutExpertsIsBadInput() {
        Run r = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16", "--expert-parallel", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("modelpar: expert-parallel degree 2: graph 'gpt2-small' has no"
                + " mixture-of-experts layer (no op of kind moe-expert); use 1");
    }

    @Test
    void aSmallModelsMemoryReadsInItsOwnUnit() {
        Run r = run("plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("memory stage 0 \\(n0g0\\.\\.n0g3\\): peak \\d+\\.\\d\\d MiB of 80\\.00 GiB,"
                + " headroom \\d+\\.\\d\\d GiB \\[parameters \\d+\\.\\d\\d, .* MiB\\]").doesNotContain("peak 0.00 GiB");
    }

    /** gpt-tiny's step is the same with and without the overlapped reduction: the explanation calls it a tie. */
    @Test
    void aTieIsCalledATie() {
        Run r = run("plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2");
        assertThat(r.out()).contains("is as fast to within 0.05%: a tie)").doesNotContain("is 0.0% slower");
    }
}
