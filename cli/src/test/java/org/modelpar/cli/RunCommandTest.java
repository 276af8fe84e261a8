package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.Stage;

class RunCommandTest {
    @Test
    void remoteClusterStopsAfterSimulationAndSaysHowToExport(@TempDir Path dir) throws Exception {
        Path plan = dir.resolve("plan.json");
        Path html = dir.resolve("report.html");
        CliRun run = CliRun.of("run", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "32",
                "--time-limit", "20s", "--out", plan.toString(), "--report", html.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("plan      pp=", "simulate  step ", "dgx-a100 is not a local cluster",
                "modelpar export --plan " + plan + " --format megatron", "report    " + html)
                .doesNotContain("train ");
        assertThat(Files.readString(html)).contains("id=\"timeline-simulated\"").doesNotContain("timeline-measured");
        CliRun export = CliRun.of("export", "--plan", plan.toString(), "--format", "megatron");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.out()).contains("--num-layers 12", "--hidden-size 768", "--bf16");
    }

    @Test
    void jsonIsOneDocument(@TempDir Path dir) throws Exception {
        CliRun run = CliRun.of("run", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "32",
                "--time-limit", "20s", "--out", dir.resolve("p.json").toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(run.out());
        assertThat(doc.path("model").asText()).isEqualTo("gpt2-small");
        assertThat(doc.path("profiled").asBoolean()).isFalse();
        assertThat(doc.path("opTimes").asText()).isEqualTo("roofline");
        assertThat(doc.path("predicted").path("stepSeconds").asDouble()).isPositive();
        assertThat(doc.path("train").isNull()).isTrue();
        assertThat(doc.path("next").asText()).startsWith("modelpar export --plan ");
    }

    @Test
    void badCountsAreExitTwo() {
        CliRun run = CliRun.of("run", "--model", "gpt-tiny", "--cluster", "local:2", "--steps", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("modelpar: run: globalBatch and steps must be at least 1, got 16 and 0\n");
    }

    /**
     * The README's main command with fewer steps and samples, run by every build: profiles (once, into
     * $MODELPAR_HOME, which the build points under target/), plans gpt-mini under a 48 MiB budget per worker
     * (it does not fit one worker, so the plan splits it over both: by pipeline stages, tensor parallelism or
     * ZeRO sharding, whichever this machine's measured profile makes fastest), simulates, trains and reports;
     * every stage's measured peak is within the budget and not above the plan's prediction.
     */
    @Test
    void localLoopSplitsAModelThatDoesNotFitOneWorker(@TempDir Path dir) throws Exception {
        String home = System.getenv("MODELPAR_HOME");
        assertThat(home).as("MODELPAR_HOME (set by cli/pom.xml), so the test never writes ~/.modelpar").isNotBlank();
        Path html = dir.resolve("report.html");
        Path plan = dir.resolve("plan.json");
        Path trace = dir.resolve("trace.json");
        CliRun run = CliRun.of("run", "--model", "gpt-mini", "--cluster", "local:2", "--device-memory", "48MiB",
                "--global-batch", "8", "--steps", "2", "--out", plan.toString(), "--report", html.toString(), "--json",
                "--trace", trace.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(run.out());
        long budget = 48L << 20;
        assertThat(doc.path("unsplit").path("fits").asBoolean()).isFalse();
        assertThat(doc.path("unsplit").path("neededBytes").asLong()).isGreaterThan(budget);
        PlacementPlan p = PlanJson.read(plan).plan();
        assertThat(p.devices()).hasSize(2);
        assertThat(p.pipelineStages() >= 2 || p.tensorParallel() >= 2 || p.options().zeroStage() >= 1)
                .as("the plan splits the model: %s stages, tensorParallel %s, ZeRO stage %s", p.pipelineStages(),
                        p.tensorParallel(), p.options().zeroStage()).isTrue();
        assertThat(p.clusterName()).isEqualTo("local:2@48MiB");
        JsonNode peaks = doc.path("train").path("peakMemoryBytes");
        for (Stage s : p.stages()) {
            for (String device : s.devices()) {
                JsonNode peak = peaks.path(device);
                assertThat(peak.path("capacity").asLong()).as(device).isEqualTo(budget);
                assertThat(peak.path("measured").asLong()).as(device).isPositive().isLessThanOrEqualTo(budget)
                        .isLessThanOrEqualTo(peak.path("predicted").asLong());
            }
        }
        assertThat(Files.readString(html)).contains("id=\"timeline-measured\"", "id=\"memory-measured\"", "<td>48.00 MiB</td>");
        assertThat(Path.of(home, "profiles", "local.json")).isRegularFile();
        // docs/workflow.md's next command: the plan names gpt-mini, made from its timed copy under $MODELPAR_HOME
        CliRun report = CliRun.of("report", "--plan", plan.toString(), "--measured", trace.toString(), "--out",
                dir.resolve("again.html").toString());
        assertThat(report.exitCode()).as(report.err()).isZero();
    }

    @Test
    void badBudgetsAreExitTwoNamingTheOptionAndTooSmallOnesExitThreeWithWhatWouldFit() {
        CliRun unit = CliRun.of("run", "--model", "gpt-mini", "--cluster", "local:2", "--device-memory", "48MB");
        assertThat(unit.exitCode()).isEqualTo(2);
        assertThat(unit.err()).isEqualTo("modelpar: --device-memory must be a size like 48MiB or 2GiB (a whole number and B,"
                + " KiB, MiB, GiB or TiB), got '48MB'\n");
        CliRun remote = CliRun.of("plan", "--model", "gpt-mini", "--cluster", "dgx-a100", "--device-memory", "48MiB",
                "--global-batch", "16");
        assertThat(remote.exitCode()).isEqualTo(2);
        assertThat(remote.err()).isEqualTo("modelpar: --device-memory 48MiB: cluster 'dgx-a100' is not this machine's workers;"
                + " a memory budget applies to local:N\n");
        CliRun tiny = CliRun.of("plan", "--model", "gpt-mini", "--cluster", "local:2@4MiB", "--global-batch", "16",
                "--precision", "fp32", "--tp", "1");
        assertThat(tiny.exitCode()).isEqualTo(3);
        assertThat(tiny.err()).startsWith("modelpar: nothing fits: the smallest plan needs ").contains(" MiB per device on cpu",
                "capacity 4.00 MiB, 3.80 MiB usable with a 5% margin").contains(" MiB of memory per device").doesNotContain("GiB");
    }
}
