package org.modelpar.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.Catalog;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.Precision;

/** The workflow called from Java, without the command line. */
class WorkflowTest {
    private static final ComputationGraph GPT = ModelZoo.build("gpt2-small");

    private static RunRequest request(ClusterSpec cluster, int globalBatch, Path dir) {
        return RunRequest.of(GPT, cluster, dir.resolve("home"), dir.resolve("plan.json")).withGlobalBatch(globalBatch)
                .withReport(dir.resolve("report.html"));
    }

    @Test
    void remoteClusterPlansSimulatesAndReportsWithoutTraining(@TempDir Path dir) throws Exception {
        ClusterSpec dgx = Catalog.cluster("dgx-a100");
        RunResult r = Workflow.run(request(dgx, 32, dir), Workflow.Progress.NONE);

        assertThat(r.profile()).isEmpty();
        assertThat(r.opTimes().measured()).isFalse();
        assertThat(r.opTimes().graph()).isSameAs(GPT);
        assertThat(r.trained()).isEmpty();
        assertThat(r.planned().best().plan().precision()).isEqualTo(Precision.BF16);
        assertThat(PlanJson.read(dir.resolve("plan.json"))).isEqualTo(r.planned().best());
        assertThat(r.simulation().stepSeconds())
                .isEqualTo(Simulator.simulate(GPT, dgx, r.planned().best().plan()).stepSeconds());
        assertThat(Files.readString(dir.resolve("report.html"))).contains("id=\"timeline-simulated\"")
                .doesNotContain("timeline-measured");
        assertThat(dir.resolve("home")).doesNotExist();
    }

    @Test
    void outOfRangeRequestNamesTheFields(@TempDir Path dir) {
        assertThatThrownBy(() -> request(Catalog.cluster("dgx-a100"), 0, dir)).isInstanceOf(WorkflowException.class)
                .hasMessage("run: globalBatch and steps must be at least 1, got 0 and 10");
    }
}
