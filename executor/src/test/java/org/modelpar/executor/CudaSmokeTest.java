package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * On ND4J's CUDA backend ({@code -Pcuda -Dtest.excludedGroups=}, on a machine with a GPU): workers attach
 * to GPUs through the affinity manager and a 2-stage pipeline still trains like one device. Never run
 * in this project's CI (no GPU); excluded by default.
 */
@Tag("gpu")
class CudaSmokeTest {
    @Test
    void pipelineOnGpusMatchesOneDevice() {
        assertThat(Nd4j.getBackend().getClass().getSimpleName()).containsIgnoringCase("cuda");
        assertThat(Nd4j.getAffinityManager().getNumberOfDevices()).isPositive();
        ComputationGraph graph = ModelZoo.build("gpt:layers=2,hidden=32,heads=2,seq=16,vocab=16");
        Map<String, INDArray> one = EquivalenceTest.train(graph, Plans.plan(graph, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD),
                ExecutorOptions.defaults(5, 0.05), 5);
        Map<String, INDArray> two = EquivalenceTest.train(graph, Plans.plan(graph, 2, 1, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD),
                ExecutorOptions.defaults(5, 0.05), 5);
        assertThat(EquivalenceTest.maxDifference(one, two)).isLessThanOrEqualTo(1e-4);
    }
}
