package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;

/** The model's ops timed with the executor's kernels, stored as measured times on the local worker type. */
class ModelProfilerTest {
    private static final String MLP = "mlp:layers=2,width=16";

    @Test
    void everyOpGetsItsTimeAtTheTimedSampleCount() {
        ComputationGraph graph = ModelZoo.build(MLP);
        ComputationGraph measured = ModelProfiler.measure(graph, 4, 2, 0);
        assertThat(measured.measuredBatchSize()).isEqualTo(4);
        assertThat(measured.tensors()).isEqualTo(graph.tensors());
        for (OpNode op : measured.ops()) {
            MeasuredTime t = op.measuredOn(Profiler.DEVICE_TYPE).orElseThrow();
            assertThat(t.forwardSeconds()).as(op.id()).isPositive();
            assertThat(t.backwardSeconds()).as(op.id()).isPositive();
            assertThat(op.parameterBytes()).isEqualTo(graph.op(op.id()).orElseThrow().parameterBytes());
        }
        assertThatThrownBy(() -> ModelProfiler.measure(graph, 0, 1, 0)).hasMessageContaining("got 0 and 1");
    }

    @Test
    void theLineThroughOneAndManySamplesGivesTheFixedPart() {
        // 1.0 s at 1 sample, 3.0 s at 5: 0.5 s fixed + 0.5 s per sample
        assertThat(ModelProfiler.line(1.0, 3.0, 5, 5)).containsExactly(3.0, 0.5);
        assertThat(ModelProfiler.line(1.0, 3.0, 5, 10)).containsExactly(5.5, 0.5);
        // noise tilting the line below the origin or above the larger time is clamped
        assertThat(ModelProfiler.line(1.0, 10.0, 5, 5)).containsExactly(10.0, 0.0);
        assertThat(ModelProfiler.line(3.0, 2.0, 5, 5)).containsExactly(2.0, 2.0);
    }

    @Test
    void aGraphWithOtherMeasuredTimesKeepsThemAndItsBatchSize() {
        ComputationGraph zoo = ModelZoo.build(MLP);
        List<OpNode> ops = new ArrayList<>();
        for (OpNode op : zoo.ops()) {
            ops.add(new OpNode(op.id(), op.name(), op.kind(), op.layer(), op.forwardFlops(), op.backwardFlops(),
                    op.parameterBytes(), op.activationBytes(), op.workspaceBytes(),
                    Map.of("v100-sxm2-32gb", new MeasuredTime(1e-3, 2e-3)), op.attributes()));
        }
        ComputationGraph pipeDream = ComputationGraph.of(zoo.name(), 32, ops, zoo.tensors());
        ComputationGraph measured = ModelProfiler.measure(pipeDream, 2, 1, 0);
        assertThat(measured.measuredBatchSize()).isEqualTo(32);
        assertThat(measured.ops()).allSatisfy(op -> {
            assertThat(op.measuredOn("v100-sxm2-32gb")).contains(new MeasuredTime(1e-3, 2e-3));
            assertThat(op.measuredOn(Profiler.DEVICE_TYPE)).isPresent();
        });
    }
}
