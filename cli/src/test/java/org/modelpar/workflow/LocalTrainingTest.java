package org.modelpar.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.solver.PlanRequest;

/** The search on local workers keeps to what the executor runs: sequence parallelism only where t divides the sequence. */
class LocalTrainingTest {
    private static final ClusterSpec LOCAL = LocalCluster.of(2, Path.of("target", "no-modelpar-home"), ProfileLimits.DEFAULT);

    @Test
    void sequenceParallelismIsSearchedWhereTheExecutorRunsIt() {
        ComputationGraph even = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=8,vocab=8");
        ComputationGraph odd = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=5,vocab=8");
        PlanRequest evenRequest = LocalTraining.executable(even, LOCAL, PlanRequest.of(8));
        assertThat(evenRequest.sequenceParallel()).isEmpty();
        assertThat(evenRequest.tensor()).isEmpty();
        PlanRequest oddRequest = LocalTraining.executable(odd, LOCAL, PlanRequest.of(8));
        assertThat(oddRequest.sequenceParallel()).as("tensor degree 2 does not divide seq 5").contains(false);
        assertThat(oddRequest.tensor()).as("tensor parallelism itself runs").isEmpty();
    }
}
