package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.executor.PlanSupport;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanJson;

/** One case per class of cause from the hostile-input catalogue: no crash, no wrong success. */
class HardeningTest {
    private static final String MODEL = "gpt:layers=2,hidden=16,heads=2,seq=8,vocab=11";

    @TempDir
    Path dir;

    private static void assertOneLine(CliRun r, int exitCode, String... parts) {
        assertThat(r.exitCode()).as(r.err() + r.out()).isEqualTo(exitCode);
        assertThat(r.err().strip()).contains(parts).doesNotContain("\n").doesNotContain("\tat ");
    }

    @Test
    void aValueTheLibraryRefusesIsOneLineExitTwo() {
        Path plan = TrainCommandTest.writePlan(dir, MODEL);
        assertOneLine(CliRun.of("train", "--plan", plan.toString(), "--steps", "1", "--cluster", "local:2", "--lr", "-1"),
                2, "learning rate must be positive, got -1.0");
    }

    @Test
    void resumingAtOrPastTheRequestedStepIsRefused() {
        Path plan = TrainCommandTest.writePlan(dir, MODEL);
        Path ckpt = dir.resolve("ckpt");
        assertThat(CliRun.of("train", "--plan", plan.toString(), "--steps", "2", "--cluster", "local:2", "--workers", "threads",
                "--checkpoint-dir", ckpt.toString()).exitCode()).isZero();
        for (String workers : new String[] {"threads", "processes"}) {
            CliRun r = CliRun.of("train", "--plan", plan.toString(), "--steps", "2", "--cluster", "local:2", "--workers", workers,
                    "--resume", ckpt.toString());
            assertOneLine(r, 2, ckpt.resolve("checkpoint.bin") + ": the checkpoint is at step 2, so a run ending at step 2 has"
                    + " nothing to train; ask for more than 2 steps");
            assertThat(r.out()).as(workers).isEmpty();
        }
    }

    @Test
    void aNonFiniteLossStopsTrainingNamingTheStep() {
        Path plan = TrainCommandTest.writePlan(dir, MODEL, OptimizerKind.SGD);
        CliRun r = CliRun.of("train", "--plan", plan.toString(), "--steps", "4", "--cluster", "local:2", "--lr", "1e38",
                "--workers", "threads");
        assertOneLine(r, 2, "training diverged: the loss of step ", "at learning rate 1.0E38");
        assertThat(r.out()).doesNotContain("step 3 loss");
        // worker processes stop at the same step, naming the rank whose loss share it is (the last stage's)
        CliRun processes = CliRun.of("train", "--plan", plan.toString(), "--steps", "4", "--cluster", "local:2", "--lr", "1e38",
                "--workers", "processes");
        assertOneLine(processes, 2, r.err().strip().replace(" at learning rate", " on rank 1 (cpu1) at learning rate"));
        assertThat(processes.out().replaceAll(" \\([0-9.]+ ms\\)", "")).isEqualTo(r.out().replaceAll(" \\([0-9.]+ ms\\)", ""));
    }

    @Test
    void aSimulatedStepThatRunsOutOfMemoryIsExitThree() {
        CliRun r = CliRun.of("simulate", "--model", "gpt3-175b", "--cluster", "dgx-a100", "--tp", "8");
        assertThat(r.out()).contains("OUT OF MEMORY");
        assertOneLine(r, 3, "the plan does not fit: device ", " bytes at ");
    }

    /**
     * A model whose arrays exceed what ND4J may allocate in this process is refused before anything is allocated
     * (a local cluster file whose workers claim 1 TiB each lets the plan past the executor's memory budget).
     */
    @Test
    void aModelTooLargeForThisProcessIsRefusedBeforeAllocating() throws Exception {
        Path cluster = dir.resolve("big-local.json");
        Files.writeString(cluster, Files.readString(Path.of("..", "profiles", "catalog", "local", "local-cpu.json"))
                .replace("\"memoryBytes\": 2147483648", "\"memoryBytes\": 1099511627776")
                .replace("[{\"id\": \"cpu0\", \"type\": \"local-cpu\"}]",
                        "[{\"id\": \"cpu0\", \"type\": \"local-cpu\"}, {\"id\": \"cpu1\", \"type\": \"local-cpu\"}]"));
        Path plan = TrainCommandTest.writePlan(dir, "gpt3-175b");
        assertOneLine(CliRun.of("train", "--plan", plan.toString(), "--steps", "1", "--cluster", cluster.toString(), "--workers", "threads"),
                2, "training gpt3-175b needs ", " TiB (2 devices' parameters", "but ND4J may allocate ");
        assertOneLine(CliRun.of("profile", "--model", "gpt3-175b", "--graph-out", dir.resolve("g.json").toString()),
                2, "timing the ops of gpt3-175b at 8 samples needs ", "but ND4J may allocate ");
        assertThat(dir.resolve("g.json")).doesNotExist();
    }

    /**
     * A measured trace is of the plan it is reported with: one that records another plan is refused, and one
     * that records none must hold a whole step of the plan's program.
     */
    @Test
    void aMeasuredTraceOfAnotherPlanIsRefused() throws Exception {
        Path plan = TrainCommandTest.writePlan(dir, MODEL);
        Path trace = dir.resolve("trace.json");
        assertThat(CliRun.of("train", "--plan", plan.toString(), "--steps", "1", "--cluster", "local:2", "--trace", trace.toString())
                .exitCode()).isZero();
        String html = dir.resolve("report.html").toString();
        Path gpipe = Files.writeString(dir.resolve("gpipe.json"), Files.readString(plan).replace("\"1f1b\"", "\"gpipe\""));
        assertOneLine(CliRun.of("report", "--plan", gpipe.toString(), "--measured", trace.toString(), "--out", html),
                2, "trace.json is of plan sha256:", ", not of this plan (sha256:", "give the plan file the trace was written with");
        Path unrecorded = Files.writeString(dir.resolve("unrecorded.json"),
                Files.readString(trace).replaceFirst("\"otherData\" *: *\\{[^}]*\\},", ""));
        Path fourMicroBatches = Files.writeString(dir.resolve("m4.json"), Files.readString(plan)
                .replace("\"globalBatchSize\" : 4", "\"globalBatchSize\" : 8").replace("\"microBatches\" : 2", "\"microBatches\" : 4"));
        assertOneLine(CliRun.of("report", "--plan", fourMicroBatches.toString(), "--measured", unrecorded.toString(), "--out", html),
                2, "unrecorded.json: its last step has ", " instructions of device cpu0 in the plan's step program (no 'F s0 mb2')");
        assertThat(CliRun.of("report", "--plan", plan.toString(), "--measured", unrecorded.toString(), "--out", html).exitCode()).isZero();
    }

    /** A plan file records its cluster's content hash; a plan taken to another cluster is refused naming both. */
    @Test
    void aPlanForAnotherClusterIsRefused() {
        String plan = dir.resolve("plan.json").toString();
        assertThat(CliRun.of("plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2",
                "--out", plan).exitCode()).isZero();
        for (String[] command : new String[][] {{"simulate"}, {"report", "--out", dir.resolve("r.html").toString()}}) {
            assertOneLine(CliRun.of(with(command, "--plan", plan, "--cluster", "dgx-h100")), 2, "plan.json: the plan was made for cluster 'dgx-a100' (sha256:",
                    "), not for cluster 'dgx-h100' (sha256:", "re-plan for it, e.g. plan --from PLAN --cluster dgx-h100");
        }
    }

    /** A fixed degree that no configuration allows names the degree, the rule it breaks and the values that would work. */
    @Test
    void anImpossibleFixedDegreeSaysWhichAndWhy() {
        String[] plan = {"plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "16", "--out", dir.resolve("p.json").toString()};
        assertOneLine(CliRun.of(with(plan, "--pp", "3")), 2, "--pp 3 cannot work on 8 devices of cluster 'dgx-a100': p x t x d uses all 8"
                + " devices or a halving of them down to one node, so p divides the devices left per tensor group, and p is at most"
                + " the graph's 6 blocks; possible --pp values: 1, 2, 4");
        assertOneLine(CliRun.of(with(plan, "--tp", "16")), 2, "--tp 16 cannot work on 8 devices of cluster 'dgx-a100': a tensor-parallel"
                + " group is a power of two that divides a node's 8 devices; possible --tp values: 1, 2, 4, 8");
        assertOneLine(CliRun.of(with(plan, "--pp", "2", "--tp", "2", "--dp", "3")), 2, "--dp 3 cannot work on 8 devices of cluster"
                + " 'dgx-a100' with --tp 2 --pp 2: d is the devices used divided by p x t; possible --dp values: 2");
        // the degrees fit the devices, but leave a data degree that the batch does not divide: the batch is named
        String[] twelve = {"plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "12", "--out", dir.resolve("p.json").toString()};
        assertOneLine(CliRun.of(with(twelve, "--tp", "1", "--pp", "1")), 2, "--pp 1 cannot work on 8 devices of cluster 'dgx-a100'"
                + " with --tp 1: it leaves a data degree d of 8, and d x micro-batches must divide the global batch of 12;"
                + " possible --pp values: 2, 4");
        assertOneLine(CliRun.of(with(twelve, "--dp", "8")), 2, "--dp 8 cannot work on 8 devices of cluster 'dgx-a100':"
                + " d x micro-batches must divide the global batch of 12; possible --dp values: 1, 2, 4");
        assertOneLine(CliRun.of("simulate", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--micro-batch-size", "0"), 2,
                "--micro-batch-size must be at least 1, got 0");
    }

    private static String[] with(String[] args, String... more) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(more)).toArray(String[]::new);
    }

    /** The newcomer's path: what to do next is said, and nothing the user made is replaced silently. */
    @Test
    void theNextStepIsSaidAndNoPlanIsReplacedSilently() throws Exception {
        Path plan = dir.resolve("plan.json");
        assertThat(CliRun.of("plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "16", "--out", plan.toString())
                .exitCode()).isZero();
        String text = Files.readString(plan);
        assertOneLine(CliRun.of("run", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--out", plan.toString()), 2,
                "plan.json exists (an earlier run's plan?): pass --overwrite to replace it, or --out FILE");
        assertThat(Files.readString(plan)).isEqualTo(text);
        Path local = dir.resolve("local.json");
        assertThat(CliRun.of("plan", "--model", "gpt-tiny", "--cluster", "local:2", "--global-batch", "16", "--out", local.toString())
                .exitCode()).isZero();
        PlacementPlan localPlan = PlanJson.read(local).plan();
        assertThatCode(() -> PlanSupport.check(ModelZoo.build("gpt-tiny"), localPlan)).as("a local plan is one the executor trains")
                .doesNotThrowAnyException();
        Path other = Files.writeString(dir.resolve("other.json"), text.replaceFirst("\"hash\" : \"sha256:[0-9a-f]+\"",
                "\"hash\" : \"sha256:" + "0".repeat(64) + "\""));
        assertOneLine(CliRun.of("report", "--plan", other.toString(), "--out", dir.resolve("r.html").toString()), 2,
                "other.json: graph.hash sha256:000", "; the built-in model is not the graph this plan was made from:"
                        + " pass --graph FILE with that graph");
    }

    @Test
    void aTimeLimitThatIsNotPositiveIsRefused() {
        assertOneLine(CliRun.of("plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "8", "--time-limit", "-5s"),
                2, "--time-limit must be positive, got '-5s'");
    }
}
