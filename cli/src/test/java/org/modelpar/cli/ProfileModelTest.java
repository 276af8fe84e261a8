package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.executor.profile.Profiler;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.io.GraphJson;

/** {@code modelpar profile --model M --graph-out FILE}: the model's ops timed here, then planned from the file. */
class ProfileModelTest {
    @Test
    void writesAMeasuredGraphThatPlansTheSameEveryTime(@TempDir Path dir) throws Exception {
        Path graph = dir.resolve("measured.json");
        CliRun profile = CliRun.of("profile", "--model", "mlp:layers=2,width=16", "--graph-out", graph.toString(),
                "--samples", "4", "--repetitions", "2");
        assertThat(profile.exitCode()).as(profile.err()).isZero();
        assertThat(profile.out()).contains("6 ops timed on this machine at 1 and 4 samples per pass", "wrote " + graph);
        ComputationGraph g = GraphJson.read(graph);
        assertThat(g.measuredBatchSize()).isEqualTo(4);
        assertThat(g.ops()).allSatisfy(op -> assertThat(op.measuredOn(Profiler.DEVICE_TYPE)).isPresent());

        String[] plan = {"plan", "--graph", graph.toString(), "--cluster", "local:2", "--global-batch", "8",
                "--precision", "fp32", "--out", dir.resolve("a.json").toString()};
        CliRun first = CliRun.of(plan);
        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).doesNotContain("op times from the roofline");
        plan[plan.length - 1] = dir.resolve("b.json").toString();
        assertThat(CliRun.of(plan).exitCode()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("b.json"))).isEqualTo(Files.readAllBytes(dir.resolve("a.json")));
    }

    @Test
    void aLocalPlanSaysWhereItsOpTimesComeFromAndWhatTrainCanRun(@TempDir Path dir) {
        // the executor splits an MLP's linears pair by pair, but not 15 columns over 2 ranks
        CliRun roofline = CliRun.of("plan", "--model", "mlp:layers=2,width=15", "--cluster", "local:2", "--global-batch", "8",
                "--precision", "fp32", "--tp", "2", "--out", dir.resolve("p.json").toString());
        assertThat(roofline.exitCode()).as(roofline.err()).isZero();
        assertThat(roofline.out()).contains("note: op times from the roofline of the profile; 'modelpar profile --model M",
                "over tensor degree 2: plan with --tp 1 to train this on local workers");
        CliRun gpu = CliRun.of("plan", "--model", "mlp:layers=2,width=16", "--cluster", "dgx-a100", "--global-batch", "8",
                "--out", dir.resolve("g.json").toString());
        assertThat(gpu.out()).doesNotContain("note: ");
    }

    @Test
    void graphOutAndModelGoTogether(@TempDir Path dir) {
        CliRun noOut = CliRun.of("profile", "--model", "mlp:layers=2,width=16");
        assertThat(noOut.exitCode()).isEqualTo(2);
        assertThat(noOut.err()).isEqualTo("modelpar: give --graph-out FILE for the measured graph\n");
        CliRun noModel = CliRun.of("profile", "--graph-out", dir.resolve("g.json").toString());
        assertThat(noModel.exitCode()).isEqualTo(2);
        assertThat(noModel.err()).isEqualTo("modelpar: --graph-out needs the model to time: give --model M or --graph FILE\n");
    }
}
