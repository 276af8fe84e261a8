package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.executor.model.Boundary;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sequence parallelism (Korthikanti et al. 2022: layer norms, residual adds and the pipeline messages on s/t of the
 * sequence, each tensor-parallel all-reduce a reduce-scatter and all-gather pair) changes where the arithmetic runs,
 * never the result: 10 steps with tensor degree 2 and 4, alone and with pipeline and data parallelism, recomputation
 * and the split backward, end with the parameters of single-device training (max abs difference <= 1e-5 in fp32),
 * each device within the simulator's predicted peak memory; so does scatter/gather of the pipeline messages without
 * sequence parallelism (1/t of each boundary tensor sent, all-gathered by the receiving replica).
 */
class SequenceParallelTest {
    private static final int STEPS = 10;

    @ParameterizedTest(name = "gpt on {0} stages x tensor {1} x {2} replicas, {3}, recompute {4}, sequence parallel {5},"
            + " scatter/gather {6}")
    @CsvSource({"1, 2, 1, gpipe, none, true, false", "1, 4, 1, gpipe, none, true, false", "2, 2, 1, 1f1b, none, true, true",
            "2, 4, 1, 1f1b, none, true, false", "2, 2, 2, 1f1b, none, true, false", "2, 2, 1, zb-h1, none, true, false",
            "2, 2, 1, 1f1b, selective, true, false", "2, 2, 1, gpipe, full, true, false",
            "2, 2, 1, 1f1b, none, false, true", "4, 2, 1, 1f1b, none, false, true", "2, 4, 1, gpipe, none, false, true",
            "2, 2, 2, zb-h1, none, false, true"})
    void matchesSingleDevice(int stages, int tensor, int replicas, String schedule, String recompute, boolean sequence,
                             boolean scatterGather) {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        PlacementPlan plain = Plans.tensorParallel(graph, stages, tensor, replicas, Schedule.parse(schedule))
                .withRecomputation(Recompute.valueOf(recompute.toUpperCase()));
        PlacementPlan plan = plain.withOptions(plain.options().withSequenceParallel(sequence).withScatterGather(scatterGather));
        Map<String, INDArray> split = EquivalenceTest.train(graph, plan, ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(ScheduleEquivalenceTest.reference(graph), split)).isLessThanOrEqualTo(1e-5);
    }

    /**
     * The layer norms' gradients, accumulated over the step's 2 micro-batches and summed over the tensor group once per
     * step after the data-parallel reduction (Megatron-LM's finalize-model-grads), with 2 replicas: reduced overlapped
     * with the last backward, reduce-scattered by ZeRO stage 1, and by stage 2 unit by unit (each replica's part of a
     * layer norm's gradient expanded to the whole and collapsed back).
     */
    @ParameterizedTest(name = "sequence parallel on tensor 2 x 2 replicas, overlap {0}, ZeRO stage {1}")
    @CsvSource({"true, 0", "false, 1", "true, 2"})
    void sumsTheLayerNormsGradientsOncePerStep(boolean overlap, int zeroStage) {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        PlacementPlan plain = Plans.tensorParallel(graph, 1, 2, 2, Schedule.ONE_F_ONE_B);
        PlacementPlan plan = plain.withOptions(plain.options().withSequenceParallel(true).withOverlapGradientReduce(overlap)
                .withZeroStage(zeroStage));
        Map<String, INDArray> split = EquivalenceTest.train(graph, plan, ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(ScheduleEquivalenceTest.reference(graph), split)).isLessThanOrEqualTo(1e-5);
    }

    /**
     * Scatter/gather cuts what every rank holds whole (the residual stream between the test's stages) into every
     * sample's rank-th part of the sequence, and sends a column-parallel output whole.
     */
    @Test
    void scatterCutsWholeTensorsOnly() {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        PlacementPlan plain = Plans.tensorParallel(graph, 2, 2, 1, Schedule.ONE_F_ONE_B);
        PlacementPlan plan = plain.withOptions(plain.options().withScatterGather(true));
        MessageScatter rank1 = MessageScatter.of(graph, plan, 1);
        List<String> sent = new Boundary(graph, plan).between(0, 1);
        assertThat(sent).isNotEmpty();
        INDArray rows = Nd4j.arange(2 * 32 * 3).reshape(2 * 32, 3).castTo(DataType.FLOAT);
        for (String producer : sent) {
            INDArray part = rank1.cut(producer, rows);
            assertThat(part.shape()).as(producer).containsExactly(32, 3);
            assertThat(part.getRow(0)).isEqualTo(rows.getRow(16));
            assertThat(part.getRow(16)).isEqualTo(rows.getRow(48));
        }
        assertThat(rank1.cut("block0.qkv", rows)).isSameAs(rows);
    }

    @Test
    void refusesASequenceTheDegreeDoesNotDivide() {
        ComputationGraph graph = ModelZoo.build("gpt:layers=1,hidden=16,heads=4,seq=6,vocab=8");
        PlacementPlan plain = Plans.tensorParallel(graph, 1, 4, 1, Schedule.GPIPE);
        PlacementPlan plan = plain.withOptions(plain.options().withSequenceParallel(true));
        assertThatThrownBy(() -> Executor.create(graph, Plans.lower(graph, plan), ExecutorOptions.defaults(5, 0.05)))
                .isInstanceOf(PlanException.class).hasMessageContaining("tensor degree 4 does not divide seq 6 of op 'embed'");
        // scatter/gather cuts pipeline messages along the sequence too (it failed at the first send before)
        PlacementPlan twoStages = Plans.tensorParallel(graph, 2, 4, 1, Schedule.GPIPE);
        PlacementPlan scattered = twoStages.withOptions(twoStages.options().withScatterGather(true));
        assertThatThrownBy(() -> Executor.create(graph, Plans.lower(graph, scattered), ExecutorOptions.defaults(5, 0.05)))
                .isInstanceOf(PlanException.class).hasMessage("the executor scatters the pipeline messages of graph '"
                        + graph.name() + "' over the tensor ranks along the sequence; tensor degree 4 does not divide seq 6");
    }
}
