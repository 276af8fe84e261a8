package org.modelpar.executor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.ExpertGroup;
import org.modelpar.executor.kernel.TensorGroup;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.Initializer;
import org.modelpar.executor.model.StageModel;
import org.modelpar.executor.profile.Calibration;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Recompute;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measures what each op's kernels take in temporaries when this executor runs them: the whole model
 * runs one forward and one backward pass of {@code samples} samples, each kernel call in its own scope
 * as a worker runs it ({@link KernelArena}), and an op's workspace becomes the larger of its two calls'
 * temporaries (output and weight-gradient temporaries included) over the samples, rounded up. The graph
 * that comes back predicts this executor's memory: the zoo's own workspaces describe the model, not the
 * kernels (fused kernels keep far less), so only a prediction of this executor uses the measured ones. Its graph applies
 * no dropout ({@link ComputationGraph#dropout()}), as the executor's kernels apply none.
 * Measured at the smallest per-device sample count of a plan, the per-sample figure bounds larger ones
 * (the weight-gradient part does not grow with the samples). Under tensor parallelism a rank's kernels hold
 * temporaries that do not shrink with the tensor degree t as the simulator's memory model divides a workspace (the
 * replicated norms'; with sequence parallelism the all-gathered input of a
 * column-parallel linear and the sums a reduce-scatter cuts); so for such a plan the kernels of tensor rank 0 are
 * measured, their collectives allocating what the ring collectives allocate ({@link TensorGroup#alone}), and the
 * workspace is t times theirs. With expert parallelism
 * of degree e an expert's holder runs it on the tokens of e replicas, so the kernels are measured as the holder of every
 * expert, their exchanges allocating what the real ones allocate ({@link ExpertGroup#alone}): the collects of the
 * other members' tokens, and the first held expert's takes of the input gradients the other holders send back.
 */
public final class KernelWorkspace {
    private KernelWorkspace() {
    }

    /**
     * {@link #measure(ComputationGraph, int)} at the fewest samples a device of {@code plan} computes at once: a
     * micro-batch over a stage's replicas (the ranks of a tensor group compute the same samples).
     */
    public static ComputationGraph measure(ComputationGraph graph, PlacementPlan plan) {
        int t = plan.tensorParallel();
        int fewest = plan.stages().stream().mapToInt(s -> plan.microBatchSize() / plan.dataParallel(s.index())).min().orElse(1);
        int e = plan.options().expertParallel();
        return measure(graph, Math.max(1, fewest),
                t > 1 ? TensorParallel.of(graph, TensorGroup.alone(t), plan.options().sequenceParallel()) : TensorParallel.NONE,
                e > 1 ? ExpertGroup.alone(e) : ExpertGroup.SOLO);
    }

    /** {@code graph} with each op's workspace replaced by its kernels' measured temporaries per sample, without dropout. */
    public static ComputationGraph measure(ComputationGraph graph, int samples) {
        return measure(graph, samples, TensorParallel.NONE, ExpertGroup.SOLO);
    }

    /** The workspaces of {@code tp}'s rank, times its group's size (the simulator divides a workspace by t). */
    private static ComputationGraph measure(ComputationGraph graph, int samples, TensorParallel tp, ExpertGroup experts) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be at least 1, got " + samples);
        }
        int t = tp.group().size();
        List<String> calls = new ArrayList<>();
        StageModel model = new StageModel(graph, new Boundary(graph, Calibration.wholeModel(graph, samples)), 0, samples,
                (op, part, nanos) -> calls.add(op), tp, experts);
        Map<String, Long> largest = new HashMap<>();
        KernelArena arena = new KernelArena(new ArrayPool(),
                bytes -> largest.merge(calls.get(calls.size() - 1), bytes, Math::max));
        Map<String, INDArray> params = new HashMap<>();
        model.parameters().forEach(p -> params.put(p.name(), Initializer.initialise(p, 1, DataType.FLOAT)));
        Map<String, INDArray> grads = new HashMap<>();
        params.forEach((k, v) -> grads.put(k, v.like().assign(0)));
        Batch batch = SyntheticTask.forGraph(graph, 1).batch(0, samples);
        try (MemoryWorkspace instruction = Scratch.open()) {
            StageModel.ForwardResult f = model.forward(Map.of(), batch.inputs().castTo(DataType.FLOAT),
                    batch.targets().castTo(DataType.FLOAT), samples, params, Recompute.NONE, arena);
            model.backward(f.stash(), Map.of(), params, grads, arena);
        }
        List<OpNode> ops = new ArrayList<>();
        for (OpNode op : graph.ops()) {
            long perSample = (largest.getOrDefault(op.id(), 0L) * t + samples - 1) / samples;
            ops.add(op.withWorkspaceBytes(perSample));
        }
        return graph.derived(graph.name(), graph.measuredBatchSize(), ops, graph.tensors()).withDropout(false);
    }
}
