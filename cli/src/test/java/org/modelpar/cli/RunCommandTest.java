package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
     * The README's main command, run by every build: profiles (once, into $MODELPAR_HOME, which the build points
     * under target/), plans, simulates, trains and reports.
     */
    @Test
    void localLoopTrainsAndReports(@TempDir Path dir) throws Exception {
        String home = System.getenv("MODELPAR_HOME");
        assertThat(home).as("MODELPAR_HOME (set by cli/pom.xml), so the test never writes ~/.modelpar").isNotBlank();
        Path html = dir.resolve("report.html");
        CliRun run = CliRun.of("run", "--model", "gpt-tiny", "--cluster", "local:2", "--global-batch", "8", "--steps", "2",
                "--out", dir.resolve("plan.json").toString(), "--report", html.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("train     2 steps, loss ");
        assertThat(Files.readString(html)).contains("id=\"timeline-measured\"", "id=\"memory-measured\"");
        assertThat(Path.of(home, "profiles", "local.json")).isRegularFile();
    }
}
