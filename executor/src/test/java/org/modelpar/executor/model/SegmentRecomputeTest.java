package org.modelpar.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.executor.Batch;
import org.modelpar.executor.Plans;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.TensorSplit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Recomputation one segment at a time: a 2-stage split of a model, forward and backward with and without
 * recomputation (full: transformer layers; selective: their attention cores), gives the same loss and gradients
 * (parameters and the boundary), stashes only what the ops outside segments save plus the segments' checkpoints,
 * and re-runs every segment op's forward exactly once.
 */
class SegmentRecomputeTest {
    private static final int SAMPLES = 4;

    @ParameterizedTest(name = "{0}, recompute {1}")
    @CsvSource({"'gpt:layers=3,hidden=32,heads=2,seq=16,vocab=64', FULL", "'gpt:layers=3,hidden=32,heads=2,seq=16,vocab=64', SELECTIVE",
        "'mlp:layers=3,width=16', FULL"})
    void recomputingGivesTheSameGradients(String spec, Recompute mode) {
        ComputationGraph graph = ModelZoo.build(spec);
        PlacementPlan plan = Plans.plan(graph, 2, 1, SAMPLES, 1, Schedule.GPIPE, OptimizerKind.SGD);
        Pass plain = new Pass(graph, plan, Recompute.NONE);
        Pass recomputed = new Pass(graph, plan, mode);

        assertThat(recomputed.loss).isEqualTo(plain.loss);
        assertThat(maxDifference(plain.grads, recomputed.grads)).isLessThanOrEqualTo(1e-5);
        assertThat(maxDifference(plain.boundaryGrads, recomputed.boundaryGrads)).isLessThanOrEqualTo(1e-5);
        TensorSplit split = TensorSplit.of(graph);
        Boundary boundary = new Boundary(graph, plan);
        for (int s = 0; s < 2; s++) {
            List<String> outside = boundary.ops(s).stream().filter(op -> mode == Recompute.FULL
                    ? split.transformer() && !split.inTransformerLayer(op) : !split.attentionCore(op)).map(OpNode::id).toList();
            assertThat(recomputed.stashes.get(s).saved().keySet()).as("stage %d stashes", s).containsExactlyElementsOf(outside);
            assertThat(recomputed.stashes.get(s).bytes()).as("stage %d stash bytes", s).isLessThan(plain.stashes.get(s).bytes());
            for (OpNode op : boundary.ops(s)) {
                assertThat(recomputed.forwardCalls.get(op.id())).as("forward calls of %s", op.id())
                        .isEqualTo(outside.contains(op.id()) ? 1 : 2);
            }
        }
    }

    /** One micro-batch through both stages, forward then backward. */
    private static final class Pass {
        final Map<String, INDArray> grads = new HashMap<>();
        final Map<String, INDArray> boundaryGrads;
        final Map<String, Integer> forwardCalls = new HashMap<>();
        final List<Stash> stashes;
        final double loss;

        Pass(ComputationGraph graph, PlacementPlan plan, Recompute recompute) {
            Boundary boundary = new Boundary(graph, plan);
            OpTimer count = (op, part, nanos) -> {
                if (part == OpTimer.Part.FORWARD) {
                    forwardCalls.merge(op, 1, Integer::sum);
                }
            };
            StageModel first = new StageModel(graph, boundary, 0, SAMPLES, count);
            StageModel second = new StageModel(graph, boundary, 1, SAMPLES, count);
            Map<String, INDArray> params = new LinkedHashMap<>();
            for (StageModel m : List.of(first, second)) {
                m.parameters().forEach(p -> params.putIfAbsent(p.name(), Initializer.initialise(p, 3, DataType.FLOAT)));
            }
            params.forEach((k, v) -> grads.put(k, v.like().assign(0)));
            Batch batch = SyntheticTask.forGraph(graph, 7).batch(0, SAMPLES);
            INDArray data = batch.inputs().castTo(DataType.FLOAT);
            INDArray targets = batch.targets().castTo(DataType.FLOAT);
            StageModel.ForwardResult a = first.forward(Map.of(), data, targets, SAMPLES, params, recompute);
            StageModel.ForwardResult b = second.forward(a.outputs(), data, targets, SAMPLES, params, recompute);
            stashes = List.of(a.stash(), b.stash());
            loss = a.loss() + b.loss();
            boundaryGrads = second.backward(b.stash(), Map.of(), params, grads);
            first.backward(a.stash(), boundaryGrads, params, grads);
        }
    }

    private static double maxDifference(Map<String, INDArray> a, Map<String, INDArray> b) {
        assertThat(b.keySet()).isEqualTo(a.keySet());
        double most = 0;
        for (String k : a.keySet()) {
            most = Math.max(most, a.get(k).sub(b.get(k)).amaxNumber().doubleValue());
        }
        return most;
    }
}
