package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.executor.profile.Profiler;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.graph.zoo.ModelZoo;

/** {@code modelpar run}'s op times on a local cluster: measured once, then reused; refused when they cannot be. */
class ModelTimesTest {
    @Test
    void measuredOnceThenReused(@TempDir Path home) {
        ComputationGraph graph = ModelZoo.build("mlp:layers=1,width=8");
        StringBuilder first = new StringBuilder();
        Optional<ComputationGraph> timed = ModelTimes.measured(graph, 2, home, first);
        assertThat(first.toString()).startsWith("measured -> " + home.resolve("profiles").resolve("models"));
        assertThat(timed.orElseThrow().ops()).allSatisfy(op -> assertThat(op.measuredOn(Profiler.DEVICE_TYPE)).isPresent());
        StringBuilder second = new StringBuilder();
        assertThat(GraphJson.contentHash(ModelTimes.measured(graph, 2, home, second).orElseThrow()))
                .isEqualTo(GraphJson.contentHash(timed.orElseThrow()));
        assertThat(second.toString()).startsWith("reused ");
    }

    @Test
    void modelsTheExecutorCannotRunOrTooLargeKeepTheRoofline(@TempDir Path home) {
        StringBuilder why = new StringBuilder();
        assertThat(ModelTimes.measured(ModelZoo.build("dag:ops=20,seed=1"), 2, home, why)).isEmpty();
        assertThat(why.toString()).startsWith("the executor cannot run it: ");
        StringBuilder big = new StringBuilder();
        assertThat(ModelTimes.measured(ModelZoo.build("gpt2-small"), 2, home, big)).isEmpty();
        assertThat(big.toString()).endsWith("MiB of parameters is too large to time here");
    }
}
