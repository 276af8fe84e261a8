package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command resolves --model/--graph/--format and --cluster through the shared mixins: same error lines, exit 2. */
class GraphAndClusterOptionsTest {
    @Test
    void bothModelAndGraphIsTheSameErrorEverywhere(@TempDir Path dir) {
        Path plan = dir.resolve("p.json");
        assertThat(CliRun.of("plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "8", "--pp", "2",
                "--out", plan.toString()).exitCode()).isZero();
        String expected = "modelpar: give either --model or --graph, not both (got --model gpt-tiny and --graph g.json)\n";
        String[][] commands = {
            {"graph", "--model", "gpt-tiny", "--graph", "g.json"},
            {"plan", "--model", "gpt-tiny", "--graph", "g.json", "--cluster", "dgx-a100", "--global-batch", "8"},
            {"simulate", "--model", "gpt-tiny", "--graph", "g.json", "--cluster", "dgx-a100"},
            {"simulate", "--plan", plan.toString(), "--model", "gpt-tiny", "--graph", "g.json"},
            {"train", "--plan", plan.toString(), "--steps", "1", "--model", "gpt-tiny", "--graph", "g.json"},
            {"report", "--plan", plan.toString(), "--out", dir.resolve("r.html").toString(), "--model", "gpt-tiny", "--graph", "g.json"},
            {"export", "--plan", plan.toString(), "--format", "torch", "--model", "gpt-tiny", "--graph", "g.json"},
        };
        for (String[] args : commands) {
            CliRun r = CliRun.of(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).isEqualTo(expected);
        }
    }

    @Test
    void missingGraphAndClusterAndForeignModelsAreTheSameErrorEverywhere(@TempDir Path dir) {
        for (String[] args : new String[][] {
            {"graph"}, {"plan", "--cluster", "dgx-a100", "--global-batch", "8"}, {"simulate", "--cluster", "dgx-a100"}}) {
            CliRun r = CliRun.of(args);
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("modelpar: give --model NAME or --graph FILE\n");
        }
        for (String[] args : new String[][] {{"plan", "--model", "gpt-tiny", "--global-batch", "8"}, {"simulate", "--model", "gpt-tiny"}}) {
            CliRun r = CliRun.of(args);
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("modelpar: --cluster is required (e.g. --cluster dgx-a100:4)\n");
        }
        Path plan = dir.resolve("p.json");
        assertThat(CliRun.of("plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "8", "--pp", "2",
                "--out", plan.toString()).exitCode()).isZero();
        String foreign = "modelpar: " + plan + ": graph.hash sha256:";
        for (String[] args : new String[][] {
            {"simulate", "--plan", plan.toString(), "--model", "mlp-small"},
            {"train", "--plan", plan.toString(), "--steps", "1", "--model", "mlp-small"},
            {"export", "--plan", plan.toString(), "--format", "torch", "--model", "mlp-small"}}) {
            CliRun r = CliRun.of(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).startsWith(foreign).contains("does not match graph 'mlp-small'")
                    .hasLineCount(1);
        }
    }
}
