package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanJson;

/**
 * The README's step-by-step tutorial as written (fewer training steps): the model's ops timed here, a plan
 * for two local workers, and {@code train} runs whatever the planner chose; with the tensor degree fixed to 2
 * the split plan trains too, and its measured trace shows each rank's compute.
 */
class ReadmeTutorialTest {
    @Test
    void profilePlanAndTrainOnTwoLocalWorkers(@TempDir Path dir) throws Exception {
        Path graph = dir.resolve("gpt-tiny.json");
        CliRun profile = CliRun.of("profile", "--model", "gpt-tiny", "--graph-out", graph.toString());
        assertThat(profile.exitCode()).as(profile.err()).isZero();
        for (String tensor : new String[] {"searched", "2"}) {
            Path plan = dir.resolve("plan-" + tensor + ".json");
            CliRun planned = tensor.equals("searched")
                    ? CliRun.of("plan", "--graph", graph.toString(), "--cluster", "local:2", "--global-batch", "16",
                            "--precision", "fp32", "--out", plan.toString())
                    : CliRun.of("plan", "--graph", graph.toString(), "--cluster", "local:2", "--global-batch", "16",
                            "--precision", "fp32", "--tp", tensor, "--out", plan.toString());
            assertThat(planned.exitCode()).as(planned.err()).isZero();
            assertThat(planned.out()).doesNotContain("plan with --tp 1");
            Path trace = dir.resolve("trace-" + tensor + ".json");
            CliRun train = CliRun.of("train", "--plan", plan.toString(), "--graph", graph.toString(), "--steps", "2",
                    "--trace", trace.toString(), "--compare");
            assertThat(train.exitCode()).as(train.err()).isZero();
            assertThat(train.out()).contains("step 1 loss ");
            PlacementPlan p = PlanJson.read(plan).plan();
            if (p.tensorParallel() == 2) {
                assertThat(Files.readString(trace)).contains("\"F s0 mb0\"").contains("cpu1");
            }
        }
    }
}
