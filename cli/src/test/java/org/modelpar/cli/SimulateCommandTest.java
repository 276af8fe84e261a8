package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.ParallelConfig;
import org.modelpar.simulator.StageBalancer;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

class SimulateCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void handConfigurationPrintsTheDesignKeys() throws IOException {
        assertThat(run("simulate", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--pp", "2", "--tp", "2", "--dp", "2",
                "--microbatches", "4", "--micro-batch-size", "2", "--schedule", "1f1b", "--recompute", "--json")).isZero();
        JsonNode j = new ObjectMapper().readTree(out.toString());
        assertThat(j.get("globalBatchSize").asInt()).isEqualTo(16);
        assertThat(j.get("stepSeconds").asDouble()).isPositive();
        assertThat(j.get("tflopsPerDevice").asDouble()).isGreaterThan(j.get("modelTflopsPerDevice").asDouble());
        assertThat(j.get("devices").size()).isEqualTo(8);
        assertThat(j.at("/devices/n0g0/memory/parameters").asLong()).isPositive();
        assertThat(j.get("outOfMemory").isNull()).isTrue();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void sequenceParallelismAndSelectiveRecomputationLowerThePeakAndCountTheRecomputedFlops() throws IOException {
        String[] base = {"simulate", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--tp", "4", "--micro-batch-size", "8", "--json"};
        JsonNode plain = json(base);
        JsonNode sp = json(append(base, "--sequence-parallel"));
        JsonNode selective = json(append(base, "--sequence-parallel", "--recompute", "selective"));
        long plainPeak = plain.at("/devices/n0g0/memory/activations").asLong();
        long spPeak = sp.at("/devices/n0g0/memory/activations").asLong();
        assertThat(spPeak).isLessThan(plainPeak);
        assertThat(selective.at("/devices/n0g0/memory/activations").asLong()).isLessThan(spPeak);
        assertThat(plain.get("tflopsPerDevice").asDouble()).isEqualTo(plain.get("modelTflopsPerDevice").asDouble());
        assertThat(selective.get("tflopsPerDevice").asDouble()).isGreaterThan(selective.get("modelTflopsPerDevice").asDouble());
    }

    @Test
    void anOverlappedGradientReduceShortensADataParallelStep() throws IOException {
        String[] base = {"simulate", "--model", "gpt2-medium", "--cluster", "dgx-a100:2", "--dp", "16", "--microbatches", "2",
            "--micro-batch-size", "2", "--json"};
        double after = json(base).get("stepSeconds").asDouble();
        double overlapped = json(append(base, "--overlap-grad-reduce")).get("stepSeconds").asDouble();
        assertThat(overlapped).isLessThan(after);
    }

    @Test
    void interleavingAndZeroBubbleShortenAPipelinedStep() throws IOException {
        String[] base = {"simulate", "--model", "gpt2-medium", "--cluster", "dgx-a100", "--pp", "4", "--microbatches", "8",
            "--micro-batch-size", "2", "--json"};
        JsonNode oneF = json(base);
        JsonNode interleaved = json(append(base, "--schedule", "interleaved", "--virtual-stages", "2"));
        JsonNode zb = json(append(base, "--schedule", "zb-h1"));
        assertThat(interleaved.get("schedule").asText()).isEqualTo("interleaved");
        assertThat(interleaved.get("pipelineStages").asInt()).isEqualTo(8);
        assertThat(interleaved.get("virtualStages").asInt()).isEqualTo(2);
        assertThat(interleaved.get("devices").size()).isEqualTo(4);
        assertThat(oneF.has("virtualStages")).isFalse();
        assertThat(interleaved.get("stepSeconds").asDouble()).isLessThan(oneF.get("stepSeconds").asDouble());
        assertThat(zb.get("stepSeconds").asDouble()).isLessThan(oneF.get("stepSeconds").asDouble());
        assertThat(zb.get("modelTflopsPerDevice").asDouble() * zb.get("stepSeconds").asDouble())
                .isCloseTo(oneF.get("modelTflopsPerDevice").asDouble() * oneF.get("stepSeconds").asDouble(),
                        org.assertj.core.data.Percentage.withPercentage(1e-6));
    }

    @Test
    void interleavingMegatronCannotRunIsABadInput() {
        assertThat(run("simulate", "--model", "gpt2-medium", "--cluster", "dgx-a100", "--pp", "4", "--microbatches", "6",
                "--schedule", "interleaved", "--virtual-stages", "2")).isEqualTo(2);
        assertThat(err.toString().strip())
                .endsWith("schedule interleaved needs microBatches divisible by the 4 device groups (Megatron-LM), got 6")
                .doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void zeroStagesShrinkTheStateOfADataParallelStep() throws IOException {
        String[] base = {"simulate", "--model", "gpt2-medium", "--cluster", "dgx-a100:2", "--dp", "16", "--json"};
        JsonNode plain = json(base);
        JsonNode z1 = json(append(base, "--zero-stage", "1"));
        JsonNode z3 = json(append(base, "--zero-stage", "3"));
        long optimizer = plain.at("/devices/n0g0/memory/optimizer").asLong();
        assertThat(z1.at("/devices/n0g0/memory/optimizer").asLong()).isEqualTo(-Math.floorDiv(-optimizer / 12, 16) * 12);
        assertThat(z1.at("/devices/n0g0/memory/gradients").asLong()).isEqualTo(plain.at("/devices/n0g0/memory/gradients").asLong());
        assertThat(z3.at("/devices/n0g0/memory/gradients").asLong()).isLessThan(plain.at("/devices/n0g0/memory/gradients").asLong());
        assertThat(z3.get("stepSeconds").asDouble()).isGreaterThan(z1.get("stepSeconds").asDouble());
        assertThat(run(append(base, "--zero-stage", "5"))).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("modelpar: zeroStage must be 0, 1, 2 or 3, got 5");
    }

    @Test
    void sequenceParallelismWithoutTensorParallelismIsABadInput() {
        assertThat(run("simulate", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--sequence-parallel")).isEqualTo(2);
        assertThat(err.toString().strip()).contains("sequenceParallel needs tensorParallel above 1, got tensorParallel 1")
                .doesNotContain("\n").doesNotContain("Exception");
        assertThat(run("simulate", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--recompute", "most")).isEqualTo(2);
        assertThat(err.toString()).contains("recompute must be one of none, selective, full, got 'most'");
    }

    private JsonNode json(String... args) throws IOException {
        out.getBuffer().setLength(0);
        assertThat(run(args)).as(err.toString()).isZero();
        return new ObjectMapper().readTree(out.toString());
    }

    private static String[] append(String[] a, String... more) {
        String[] all = java.util.Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, all, a.length, more.length);
        return all;
    }

    @Test
    void planFileWithTrace() throws IOException {
        var graph = ModelZoo.build("gpt-tiny");
        var cluster = Clusters.resolve("dgx-a100");
        var plan = StageBalancer.plan(graph, cluster, new ParallelConfig(4, 1, 2, 8, 1, Schedule.GPIPE, false,
                Precision.FP32, OptimizerKind.SGD), new RooflineCostModel());
        Path file = dir.resolve("plan.json");
        PlanJson.write(PlanFile.of(plan), file);
        Path trace = dir.resolve("trace.json");
        assertThat(run("simulate", "--plan", file.toString(), "--trace", trace.toString())).isZero();
        assertThat(out.toString()).contains("gpt-tiny on dgx-a100: gpipe, p=4 t=1").contains("critical path");
        assertThat(new ObjectMapper().readTree(trace.toFile()).get("traceEvents").size()).isGreaterThan(100);
        StringWriter err2 = new StringWriter();
        assertThat(Main.execute(new String[] {"simulate", "--plan", file.toString(), "--model", "mlp-small"},
                new PrintWriter(new StringWriter()), new PrintWriter(err2, true))).isEqualTo(2);
        assertThat(err2.toString()).startsWith("modelpar: " + file + ": graph.hash sha256:").contains("does not match graph 'mlp-small'");
    }

    /**
     * The trace links every send to its receive (one flow start and finish per send, the same id), gives each
     * forward its FLOPs (the stage's forward FLOPs per sample x one sample per replica) and each transfer its bytes,
     * labels processes with their stage; --trace-devices replica:1 keeps that replica's 4 devices.
     */
    @Test
    void traceLinksSendsAndCarriesFlopsAndBytesAndKeepsOneReplica() throws IOException {
        var graph = ModelZoo.build("gpt-tiny");
        var plan = StageBalancer.plan(graph, Clusters.resolve("dgx-a100"), new ParallelConfig(4, 1, 2, 8, 1, Schedule.GPIPE, false,
                Precision.FP32, OptimizerKind.SGD), new RooflineCostModel());
        Path file = dir.resolve("plan.json");
        PlanJson.write(PlanFile.of(plan), file);
        Path trace = dir.resolve("trace.json");
        assertThat(run("simulate", "--plan", file.toString(), "--trace", trace.toString())).isZero();
        JsonNode events = new ObjectMapper().readTree(trace.toFile()).get("traceEvents");
        List<JsonNode> all = new ArrayList<>();
        events.forEach(all::add);
        long sends = all.stream().filter(e -> e.path("name").asText().startsWith("send ")).count();
        assertThat(sends).isPositive();
        assertThat(all.stream().filter(e -> e.path("ph").asText().equals("s")).map(e -> e.get("id").asLong()).toList())
                .hasSize((int) sends).doesNotHaveDuplicates()
                .isEqualTo(all.stream().filter(e -> e.path("ph").asText().equals("f")).map(e -> e.get("id").asLong()).toList());
        double stage0 = plan.stages().get(0).ops().stream().mapToDouble(id -> graph.op(id).orElseThrow().forwardFlops()).sum();
        assertThat(all.stream().filter(e -> e.path("name").asText().equals("F s0 mb0")).map(e -> e.get("args").get("flops").asDouble()))
                .containsOnly(stage0);
        assertThat(all.stream().filter(e -> e.path("name").asText().startsWith("send ")).map(e -> e.get("args").get("bytes").asLong()))
                .allMatch(b -> b > 0);
        assertThat(all.stream().filter(e -> e.path("name").asText().equals("process_labels")).map(e -> e.get("args").get("labels").asText())
                .distinct()).containsExactly("stage 0", "stage 1", "stage 2", "stage 3");
        Path one = dir.resolve("replica1.json");
        assertThat(run("simulate", "--plan", file.toString(), "--trace", one.toString(), "--trace-devices", "replica:1")).isZero();
        JsonNode kept = new ObjectMapper().readTree(one.toFile()).get("traceEvents");
        List<String> names = new ArrayList<>();
        kept.forEach(e -> {
            if (e.path("name").asText().equals("process_name")) {
                names.add(e.get("args").get("name").asText());
            }
        });
        assertThat(names).hasSize(4).doesNotContainAnyElementsOf(plan.stages().stream().map(s -> s.devices().get(0)).toList());
        assertThat(Files.size(one)).isLessThan(Files.size(trace) / 3 * 2);
    }

    @Test
    void badInputExitsTwoWithOneLine() throws IOException {
        assertThat(run("simulate", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--pp", "4", "--tp", "2", "--dp", "2")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("modelpar: pp 4 x tp 2 x dp 2 needs 16 devices, cluster 'dgx-a100' has 8"
                + System.lineSeparator());
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"format\": \"modelpar-plan/1\", \"schedule\": 3}");
        StringWriter err2 = new StringWriter();
        assertThat(Main.execute(new String[] {"simulate", "--plan", file.toString()}, new PrintWriter(new StringWriter()),
                new PrintWriter(err2, true))).isEqualTo(2);
        assertThat(err2.toString()).startsWith("modelpar: " + file + ": graph: required field is missing");
    }

    @Test
    void anExpertDegreeOnAGraphWithoutExpertsIsBadInput() {
        assertThat(run("simulate", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--dp", "4", "--expert-parallel", "2"))
                .isEqualTo(2);
        assertThat(err.toString()).isEqualTo("modelpar: expert-parallel degree 2: graph 'gpt-tiny' has no mixture-of-experts"
                + " layer (no op of kind moe-expert); use 1" + System.lineSeparator());
    }
}
