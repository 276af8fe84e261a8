package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.solver.PlanRequest;
import org.modelpar.solver.PlanResult;
import org.modelpar.solver.Planner;

class ReportCommandTest {
    @Test
    void reportOfAPlannedModel(@TempDir Path dir) throws Exception {
        ComputationGraph graph = ModelZoo.build("gpt2-small");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        PlanResult result = new Planner().plan(graph, cluster, PlanRequest.of(64));
        Path plan = dir.resolve("plan.json");
        PlanJson.write(result.best(), plan);
        Path html = dir.resolve("report.html");
        CliRun run = CliRun.of("report", "--plan", plan.toString(), "--out", html.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("wrote report");
        String page = Files.readString(html);
        assertThat(page).contains("id=\"timeline-simulated\"", "id=\"memory-simulated\"", "id=\"runner-ups\"")
                .doesNotContain("timeline-measured");
    }
}
