package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option of the planning and reporting commands, read from picocli's own model of the command line (so a new
 * option is covered without touching this test), given each hostile value of a fixed catalogue (numbers out of
 * range, beyond int and long, not numbers, empty, malformed cluster names and pins, paths that are not files): the command never
 * crashes (exit 1 or a stack trace) and never prints more than one line of error; it either succeeds or says what
 * is wrong (exit 2) or infeasible (exit 3). The commands that train ({@code train}, {@code run}, {@code profile},
 * {@code worker}) are left to their own tests: a hostile value they accepted would start a run.
 */
class HostileValuesTest {
    private static final List<String> VALUES = List.of("-1", "0", "1e300", "1e400", "NaN", "2147483648",
            "99999999999999999999", "abc", "", "local:abc", "dgx-a100:0", "x=y", "/nonexistent/dir/x", "/");

    @TempDir
    static Path dir;

    /** The base command line of each command: valid and fast, so only the option under test can fail it. */
    private static Map<String, List<String>> bases;

    @BeforeAll
    static void planFile() throws Exception {
        Path plan = dir.resolve("plan.json");
        CliRun r = CliRun.of("plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2",
                "--time-limit", "5s", "--out", plan.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        bases = Map.of(
                "graph", List.of("graph", "--model", "gpt-tiny"),
                "cluster", List.of("cluster", "dgx-a100"),
                "simulate", List.of("simulate", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--pp", "2"),
                "plan", List.of("plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2",
                        "--time-limit", "2s", "--out", dir.resolve("out.json").toString(), "--overwrite"),
                "report", List.of("report", "--plan", plan.toString(), "--out", dir.resolve("r.html").toString()),
                "export", List.of("export", "--plan", plan.toString(), "--format", "torch", "--out",
                        dir.resolve("e.py").toString()));
    }

    static Stream<Arguments> optionValues() {
        CommandLine cli = new CommandLine(new Main());
        Commands.register(cli);
        List<Arguments> cases = new ArrayList<>();
        for (String command : List.of("graph", "cluster", "simulate", "plan", "report", "export")) {
            for (OptionSpec option : cli.getSubcommands().get(command).getCommandSpec().options()) {
                if (option.arity().max() == 0 || option.usageHelp() || option.versionHelp()) {
                    continue;
                }
                for (String value : VALUES) {
                    cases.add(Arguments.of(command, option.longestName(), value));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} ''{2}''")
    @MethodSource("optionValues")
    void noCrashAndOneLine(String command, String option, String value) {
        List<String> args = new ArrayList<>(bases.get(command));
        int at = args.indexOf(option);
        if (at >= 0) {
            args.set(at + 1, value); // the base's own value of this option replaced
        } else {
            args.add(option);
            args.add(value);
        }
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.exitCode()).as("%s\n%s", args, r.err()).isIn(0, 2, 3);
        assertThat(r.err()).as("%s", args).doesNotContain("\tat ").doesNotContain("Exception");
        if (r.exitCode() != 0) {
            assertThat(r.err().strip().lines()).as("%s", args).hasSize(1);
        }
    }
}
