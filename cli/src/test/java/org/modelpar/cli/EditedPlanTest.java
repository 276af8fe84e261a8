package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans people edit by hand: {@code simulate --plan} re-validates them, errors are one line with exit 2. */
class EditedPlanTest {
    @TempDir
    Path dir;
    String text;

    @BeforeEach
    void plan() throws Exception {
        Path plan = dir.resolve("plan.json");
        CliRun run = CliRun.of("plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2",
                "--tp", "1", "--dp", "4", "--out", plan.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        text = Files.readString(plan);
    }

    private CliRun simulateEdited(String from, String to) throws Exception {
        assertThat(text).contains(from);
        Path edited = dir.resolve("edited.json");
        Files.writeString(edited, text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
        return CliRun.of("simulate", "--plan", edited.toString());
    }

    @Test
    void untouchedPlanSimulates() throws Exception {
        assertThat(simulateEdited("\"format\"", "\"format\"").exitCode()).isZero();
    }

    @Test
    void unknownDeviceIsOneLine() throws Exception {
        CliRun run = simulateEdited("\"n0g0\"", "\"n9g9\"");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().toList()).singleElement().asString().startsWith("modelpar: ").contains("n9g9");
    }

    @Test
    void unknownOpIsOneLine() throws Exception {
        CliRun run = simulateEdited("\"embed\"", "\"embedding-typo\"");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().toList()).singleElement().asString().contains("embedding-typo");
    }

    @Test
    void batchArithmeticIsOneLine() throws Exception {
        CliRun run = simulateEdited("\"globalBatchSize\" : 16", "\"globalBatchSize\" : 17");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().toList()).singleElement().asString().contains("globalBatchSize 17");
    }

    @Test
    void brokenJsonNamesTheLine() throws Exception {
        CliRun run = simulateEdited("\"stages\"", "\"stages\" ::");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().toList()).singleElement().asString().contains("line ");
    }
}
