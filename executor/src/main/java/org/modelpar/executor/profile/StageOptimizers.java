package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.Scratch;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.model.Adam;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.Initializer;
import org.modelpar.executor.model.Optimizer;
import org.modelpar.executor.model.Sgd;
import org.modelpar.executor.model.StageModel;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The optimizer step of each stage of a plan, timed as a device runs it ({@code DeviceState.update}), twice: on the
 * stage's parameter tensors, and on the same tensors cut to half their elements. A device holding a share of a stage
 * (a tensor-parallel rank, a ZeRO shard) updates every tensor still, at a fixed cost each and the rest per element; the
 * two timings tell the two apart ({@link CalibratedCostModel.StageOptimizer}).
 */
final class StageOptimizers {
    private final List<Timed> whole = new ArrayList<>();
    private final List<Timed> halves = new ArrayList<>();

    /**
     * One stage's optimizer on gradient-sized inputs: fp32 master weights, the gradients in the compute type and, in mixed
     * precision, the kernels' copies the update refreshes ({@code params} itself in fp32).
     */
    private record Timed(long parameters, Optimizer optimizer, Map<String, INDArray> params, Map<String, INDArray> grads,
                         Map<String, INDArray> copies) {
        static Timed of(PlacementPlan plan, long count, Map<String, INDArray> params, DataType computeType) {
            Map<String, INDArray> grads = cast(params, computeType);
            grads.values().forEach(v -> v.muli(1e-3));
            return new Timed(count, plan.optimizer() == OptimizerKind.ADAM ? new Adam(1e-6) : new Sgd(1e-6), params, grads,
                    computeType == DataType.FLOAT ? params : cast(params, computeType));
        }
    }

    StageOptimizers(ComputationGraph graph, PlacementPlan plan, long seed, DataType computeType) {
        Boundary boundary = new Boundary(graph, plan);
        for (int s = 0; s < plan.pipelineStages(); s++) {
            Map<String, INDArray> params = parameters(new StageModel(graph, boundary, s, plan.globalBatchSize()).parameters(), seed);
            // the stage's parameter count as the simulator counts it (the graph's), the halves' in proportion
            long count = plan.stages().get(s).ops().stream().mapToLong(id -> graph.op(id).orElseThrow().parameterCount()).sum();
            Map<String, INDArray> half = new HashMap<>();
            params.forEach((n, p) -> half.put(n, p.reshape(p.length()).get(NDArrayIndex.interval(0, (p.length() + 1) / 2)).dup()));
            whole.add(Timed.of(plan, count, params, computeType));
            halves.add(Timed.of(plan, Math.round((double) count * elements(half) / Math.max(1, elements(params))), half, computeType));
        }
    }

    /** How many timings a {@link #step} gives: two a stage. */
    int timings() {
        return 2 * whole.size();
    }

    /** One step of every stage, whole and halved: their seconds in turn. */
    double[] step() {
        double[] seconds = new double[timings()];
        for (int s = 0; s < whole.size(); s++) {
            seconds[2 * s] = time(whole.get(s));
            seconds[2 * s + 1] = time(halves.get(s));
        }
        return seconds;
    }

    /** Each stage's typical steps, whole and halved, over {@code steps} (each as {@link #step} gave it). */
    List<CalibratedCostModel.StageOptimizer> steps(List<double[]> steps) {
        List<CalibratedCostModel.StageOptimizer> out = new ArrayList<>();
        for (int s = 0; s < whole.size(); s++) {
            int stage = s;
            out.add(new CalibratedCostModel.StageOptimizer(whole.get(s).parameters(), whole.get(s).params().size(),
                    typical(steps, 2 * stage), halves.get(s).parameters(), typical(steps, 2 * stage + 1)));
        }
        return out;
    }

    private static double time(Timed o) {
        double seconds;
        try (MemoryWorkspace scratch = Scratch.open()) {
            long start = System.nanoTime();
            update(o);
            o.grads().values().forEach(g -> g.assign(0));
            seconds = (System.nanoTime() - start) / 1e9;
        }
        o.params().forEach((k, v) -> o.grads().get(k).assign(v).muli(1e-3));
        return seconds;
    }

    /**
     * The optimizer step as a device runs it: in mixed precision one tensor at a time ({@link Optimizer#stepFromComputeGradient},
     * at a loss scale of 1), then the kernels' copies refreshed from the master weights.
     */
    private static void update(Timed o) {
        if (o.copies() == o.params()) {
            o.optimizer().step(o.params(), o.grads());
            return;
        }
        o.params().forEach((n, p) -> {
            try (MemoryWorkspace one = Scratch.openKernel()) {
                o.optimizer().stepFromComputeGradient(n, p, o.grads().get(n), 1.0);
            }
        });
        o.copies().forEach((n, c) -> c.assign(o.params().get(n)));
    }

    private static long elements(Map<String, INDArray> arrays) {
        return arrays.values().stream().mapToLong(INDArray::length).sum();
    }

    static Map<String, INDArray> cast(Map<String, INDArray> arrays, DataType type) {
        Map<String, INDArray> out = new HashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.castTo(type).dup()));
        return out;
    }

    static Map<String, INDArray> parameters(List<ParameterSpec> specs, long seed) {
        Map<String, INDArray> params = new HashMap<>();
        specs.forEach(p -> params.put(p.name(), Initializer.initialise(p, seed, DataType.FLOAT)));
        return params;
    }

    private static double typical(List<double[]> steps, int index) {
        return steps.isEmpty() ? 0 : Timing.typical(steps.stream().mapToDouble(s -> s[index]).toArray());
    }
}
