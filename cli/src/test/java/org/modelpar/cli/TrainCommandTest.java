package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

class TrainCommandTest {
    private static final String MODEL = "gpt:layers=2,hidden=16,heads=2,seq=8,vocab=11";

    @Test
    void trainsAPlanAndReportsTheDesignKeys(@TempDir Path dir) throws Exception {
        Path plan = writePlan(dir, MODEL);
        Result r = run("train", "--plan", plan.toString(), "--steps", "3", "--cluster", "local:2", "--json",
                "--trace", dir.resolve("trace.json").toString(), "--predicted-trace", dir.resolve("predicted.json").toString(),
                "--compare");
        assertThat(r.code).as(r.err).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out);
        assertThat(json.get("workers").asText()).as("the default on a local cluster").isEqualTo("processes");
        assertThat(json.get("steps").asInt()).isEqualTo(3);
        assertThat(json.get("losses")).hasSize(3);
        assertThat(json.get("measuredStepSeconds").asDouble()).isPositive();
        assertThat(json.get("predictedStepSeconds").asDouble()).isPositive();
        assertThat(json.get("peakMemoryBytes").get("cpu1").asLong()).isPositive();
        assertThat(json.get("predictedPeakMemoryBytes").get("cpu0").asLong()).isPositive();
        assertThat(json.get("compare").get("worstInstructions")).isNotEmpty();
        assertThat(json.get("compare").get("warmUpSteps").asInt()).as("a comparison measures warm steps").isGreaterThanOrEqualTo(10);
        for (String device : new String[] {"cpu0", "cpu1"}) {
            JsonNode busy = json.get("compare").get("computeSeconds").get(device);
            assertThat(busy.get("predicted").asDouble()).as(device).isPositive();
            assertThat(busy.get("measured").asDouble()).as(device).isPositive();
        }
        JsonNode trace = new ObjectMapper().readTree(dir.resolve("trace.json").toFile());
        assertThat(trace.get("traceEvents").toString()).contains("\"F s0 mb0\"", "\"send act s0>s1 mb0\"", "\"memory\"",
                "\"allreduce tied embed\"");
        // the prediction's step, the same instructions, ending at the predicted step time less the measured overhead
        JsonNode predicted = new ObjectMapper().readTree(dir.resolve("predicted.json").toFile());
        assertThat(predicted.get("traceEvents").toString()).contains("\"F s0 mb0\"", "\"send act s0>s1 mb0\"",
                "\"allreduce tied embed\"");
        double lastEndMicros = 0;
        for (JsonNode e : predicted.get("traceEvents")) {
            if (e.path("ph").asText().equals("X")) {
                lastEndMicros = Math.max(lastEndMicros, e.get("ts").asDouble() + e.get("dur").asDouble());
            }
        }
        assertThat(lastEndMicros / 1e6).isPositive().isLessThanOrEqualTo(json.get("predictedStepSeconds").asDouble() * (1 + 1e-9));
    }

    @Test
    void alteredCheckpointIsRefusedWithExitTwo(@TempDir Path dir) throws Exception {
        Path plan = writePlan(dir, MODEL);
        Path ckpt = dir.resolve("ckpt");
        Result first = run("train", "--plan", plan.toString(), "--steps", "2", "--cluster", "local:2",
                "--checkpoint-dir", ckpt.toString());
        assertThat(first.code).as(first.err).isZero();
        assertThat(first.out).contains("step 0 loss", "step 1 loss");
        Path file = ckpt.resolve("checkpoint.bin");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 3] ^= 0x10;
        Files.write(file, bytes);
        Result resumed = run("train", "--plan", plan.toString(), "--steps", "3", "--cluster", "local:2", "--resume", ckpt.toString());
        assertThat(resumed.code).isEqualTo(2);
        assertThat(resumed.err.strip()).contains("checksum mismatch").doesNotContain("\n");
    }

    @Test
    void resumedRunEndsWithTheParametersOfAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Path plan = writePlan(dir, MODEL);
        Path ckpt = dir.resolve("ckpt");
        Result whole = run("train", "--plan", plan.toString(), "--steps", "3", "--cluster", "local:2", "--json");
        Result first = run("train", "--plan", plan.toString(), "--steps", "2", "--cluster", "local:2", "--json",
                "--checkpoint-dir", ckpt.toString());
        Result rest = run("train", "--plan", plan.toString(), "--steps", "3", "--cluster", "local:2", "--json",
                "--resume", ckpt.toString());
        ObjectMapper m = new ObjectMapper();
        JsonNode w = m.readTree(whole.out);
        JsonNode r = m.readTree(rest.out);
        assertThat(first.code).isZero();
        assertThat(r.get("firstStep").asInt()).isEqualTo(2);
        assertThat(r.get("losses").get(0).asDouble()).isEqualTo(w.get("losses").get(2).asDouble());
        assertThat(r.get("parameterSha256").asText()).isEqualTo(w.get("parameterSha256").asText())
                .isNotEqualTo(m.readTree(first.out).get("parameterSha256").asText());
    }

    @Test
    void resumeWithAnotherPlanIsRefusedWithExitTwo(@TempDir Path dir) throws Exception {
        Path plan = writePlan(dir, MODEL);
        Path ckpt = dir.resolve("ckpt");
        assertThat(run("train", "--plan", plan.toString(), "--steps", "1", "--cluster", "local:2",
                "--checkpoint-dir", ckpt.toString()).code).isZero();
        Path gpipe = dir.resolve("gpipe.json");
        Files.writeString(gpipe, Files.readString(plan).replace("\"1f1b\"", "\"gpipe\""));
        Result resumed = run("train", "--plan", gpipe.toString(), "--steps", "2", "--cluster", "local:2", "--resume", ckpt.toString());
        assertThat(resumed.code).as(resumed.out + resumed.err).isEqualTo(2);
        assertThat(resumed.err.strip()).contains("checkpoint was written by plan sha256:").doesNotContain("\n");
    }

    @Test
    void workerProcessesTrainLikeThreads(@TempDir Path dir) throws Exception {
        Path plan = writePlan(dir, MODEL);
        Result threads = run("train", "--plan", plan.toString(), "--steps", "2", "--cluster", "local:2", "--json", "--workers", "threads");
        Result processes = run("train", "--plan", plan.toString(), "--steps", "2", "--cluster", "local:2", "--json",
                "--workers", "processes", "--trace", dir.resolve("trace.json").toString(), "--compare");
        assertThat(threads.code).as(threads.err).isZero();
        assertThat(processes.code).as(processes.err).isZero();
        assertThat(new ObjectMapper().readTree(threads.out).get("workers").asText()).isEqualTo("threads");
        assertThat(new ObjectMapper().readTree(processes.out).get("workers").asText()).isEqualTo("processes");
        JsonNode compare = new ObjectMapper().readTree(processes.out).get("compare");
        assertThat(compare.get("worstInstructions")).isNotEmpty();
        assertThat(compare.get("warmUpSteps").asInt()).as("every worker process warms up").isGreaterThanOrEqualTo(10);
        assertThat(new ObjectMapper().readTree(threads.out).has("compare")).isFalse();
        assertThat(compare.get("computeSeconds").get("cpu1").get("measured").asDouble()).isPositive();
        assertThat(Files.readString(dir.resolve("trace.json"))).contains("\"F s0 mb0\"", "\"recv act s0>s1 mb1\"", "\"memory\"");
        ObjectMapper m = new ObjectMapper();
        assertThat(m.readTree(processes.out).get("parameterSha256").asText())
                .isEqualTo(m.readTree(threads.out).get("parameterSha256").asText());
    }

    static Path writePlan(Path dir, String model) {
        return writePlan(dir, model, OptimizerKind.ADAM);
    }

    static Path writePlan(Path dir, String model, OptimizerKind optimizer) {
        ComputationGraph graph = ModelZoo.build(model);
        List<String> ops = graph.topologicalOrder().stream().map(OpNode::id).toList();
        List<Stage> stages = new ArrayList<>();
        stages.add(new Stage(0, List.of("cpu0"), ops.subList(0, ops.size() / 2), false));
        stages.add(new Stage(1, List.of("cpu1"), ops.subList(ops.size() / 2, ops.size()), false));
        PlacementPlan p = new PlacementPlan(graph.name(), GraphJson.contentHash(graph), "local:2", "", Precision.FP32,
                optimizer, 4, 2, 2, Schedule.ONE_F_ONE_B, 1, stages);
        Path file = dir.resolve("plan.json");
        PlanJson.write(PlanFile.of(p), file);
        return file;
    }

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
