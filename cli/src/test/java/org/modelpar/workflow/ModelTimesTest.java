package org.modelpar.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.executor.KernelWorkspace;
import org.modelpar.executor.profile.Profiler;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.graph.zoo.ModelZoo;

/** A run's op times on local workers: measured once, then reused; refused when they cannot be. */
class ModelTimesTest {
    @Test
    void measuredOnceThenReused(@TempDir Path home) {
        ComputationGraph graph = ModelZoo.build("mlp:layers=1,width=8");
        ModelTimes.OpTimes first = ModelTimes.of(graph, 2, home);
        assertThat(first.measured()).isTrue();
        assertThat(first.reason()).startsWith("measured -> " + home.resolve("profiles").resolve("models"));
        assertThat(first.graph().ops()).allSatisfy(op -> assertThat(op.measuredOn(Profiler.DEVICE_TYPE)).isPresent());
        assertThat(first.graph().ops()).as("the executor's kernel workspaces at 1 sample")
                .isEqualTo(KernelWorkspace.measure(first.graph(), 1).ops());
        ModelTimes.OpTimes second = ModelTimes.of(graph, 2, home);
        assertThat(GraphJson.contentHash(second.graph())).isEqualTo(GraphJson.contentHash(first.graph()));
        assertThat(second.reason()).startsWith("reused ");
    }

    @Test
    void modelsTheExecutorCannotRunOrTooLargeKeepTheRoofline(@TempDir Path home) {
        ComputationGraph dag = ModelZoo.build("dag:ops=20,seed=1");
        ModelTimes.OpTimes cannot = ModelTimes.of(dag, 2, home);
        assertThat(cannot.measured()).isFalse();
        assertThat(cannot.graph()).isSameAs(dag);
        assertThat(cannot.reason()).startsWith("the executor cannot run it: ");
        ModelTimes.OpTimes big = ModelTimes.of(ModelZoo.build("gpt2-small"), 2, home);
        assertThat(big.measured()).isFalse();
        assertThat(big.reason()).endsWith("MiB of parameters is too large to time here");
    }
}
