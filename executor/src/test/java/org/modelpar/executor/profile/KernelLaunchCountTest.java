package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modelpar.executor.Batch;
import org.modelpar.executor.kernel.LaunchCounts;
import org.modelpar.executor.model.Adam;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.Initializer;
import org.modelpar.executor.model.Sgd;
import org.modelpar.executor.model.OpTimer;
import org.modelpar.executor.model.StageModel;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.plan.Recompute;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

/**
 * The kernels' launch counts ({@link LaunchCounts}) against the native ops ND4J's {@link OpProfiler}
 * counts while the executor's kernels run a forward, a backward and an optimizer step of the zoo models.
 * When a kernel changes, this test names the op kind whose count must follow.
 */
class KernelLaunchCountTest {
    @BeforeEach
    void countOps() {
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
    }

    @AfterEach
    void stopCounting() {
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
        OpProfiler.getInstance().reset();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt:layers=1,hidden=64,heads=4,seq=32,vocab=64", "mlp:layers=2,width=16", "moe-tiny"})
    void tableMatchesTheOpsTheKernelsRun(String spec) {
        ComputationGraph graph = ModelZoo.build(spec);
        int samples = 2;
        List<String> all = graph.topologicalOrder().stream().map(OpNode::id).toList();
        PlacementPlan whole = new PlacementPlan(graph.name(), "", "", "", Precision.FP32, OptimizerKind.SGD, samples,
                samples, 1, Schedule.GPIPE, 1, List.of(new Stage(0, List.of("cpu0"), all, false)));
        Map<String, Long> forward = new LinkedHashMap<>();
        Map<String, Long> backward = new LinkedHashMap<>();
        long[] last = {0};
        StageModel model = new StageModel(graph, new Boundary(graph, whole), 0, samples, (op, part, nanos) -> {
            long now = OpProfiler.getInstance().getInvocationsCount();
            (part == OpTimer.Part.FORWARD ? forward : backward).put(op, now - last[0]);
            last[0] = now;
        });
        Map<String, INDArray> params = new HashMap<>();
        model.parameters().forEach(p -> params.put(p.name(), Initializer.initialise(p, 1, DataType.FLOAT)));
        Map<String, INDArray> grads = new HashMap<>();
        params.forEach((k, v) -> grads.put(k, v.like().assign(0)));
        Batch batch = SyntheticTask.forGraph(graph, 1).batch(0, samples);
        INDArray data = batch.inputs().castTo(DataType.FLOAT);
        INDArray targets = batch.targets().castTo(DataType.FLOAT);

        OpProfiler.getInstance().reset();
        last[0] = 0;
        StageModel.ForwardResult f = model.forward(Map.of(), data, targets, samples, params, Recompute.NONE);
        for (OpNode op : graph.topologicalOrder()) {
            assertThat(forward.get(op.id())).as("forward ops of %s (%s)", op.id(), op.kind())
                    .isEqualTo(counts(op).forward());
        }

        // each backward's count also holds the previous op's gradient accumulations (they follow its kernel)
        last[0] = OpProfiler.getInstance().getInvocationsCount();
        model.backward(f.stash(), Map.of(), params, grads);
        long tail = OpProfiler.getInstance().getInvocationsCount() - last[0];
        List<OpNode> reversed = new ArrayList<>(graph.topologicalOrder());
        Collections.reverse(reversed);
        int previousAccumulations = 0;
        for (OpNode op : reversed) {
            LaunchCounts k = counts(op);
            assertThat(backward.get(op.id())).as("backward ops of %s (%s) after %d accumulations", op.id(), op.kind(),
                    previousAccumulations).isEqualTo(k.backwardKernel() + previousAccumulations);
            previousAccumulations = fedByData(graph, op) ? k.accumulations() - 1 : k.accumulations();
        }
        assertThat(tail).as("accumulations of the first op").isEqualTo(previousAccumulations);

        int tensors = graph.topologicalOrder().stream().mapToInt(op -> counts(op).parameterTensors()).sum();
        assertThat(tensors).isEqualTo(params.size());
        OpProfiler.getInstance().reset();
        new Sgd(1e-3).step(params, grads);
        assertThat(OpProfiler.getInstance().getInvocationsCount())
                .isEqualTo((long) tensors * LaunchCounts.optimizerPerTensor(OptimizerKind.SGD));
        Adam adam = new Adam(1e-3);
        adam.step(params, grads);
        OpProfiler.getInstance().reset();
        adam.step(params, grads);
        assertThat(OpProfiler.getInstance().getInvocationsCount())
                .isEqualTo((long) tensors * LaunchCounts.optimizerPerTensor(OptimizerKind.ADAM));
    }

    /** The catalog's default local worker (used until {@code modelpar profile} has run) carries these counts. */
    @Test
    void theDefaultLocalWorkerCarriesTheKernelsCounts(@TempDir Path emptyHome) {
        ClusterSpec local = LocalCluster.of(1, emptyHome, ProfileLimits.DEFAULT);
        assertThat(local.devices().get(0).profile().kernelLaunches()).isEqualTo(LaunchCounts.asData());
    }

    private static LaunchCounts counts(OpNode op) {
        return LaunchCounts.of(op.kind()).orElseThrow(() -> new AssertionError("no launch counts for kind " + op.kind()));
    }

    /** A linear op fed by the model's data (not another op) hands no input gradient on. */
    private static boolean fedByData(ComputationGraph graph, OpNode op) {
        return op.kind().equals("linear") && graph.incoming(op.id()).isEmpty();
    }
}
