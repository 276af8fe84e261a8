package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.Batch;
import org.modelpar.executor.Scratch;
import org.modelpar.executor.Threads;
import org.modelpar.executor.Ticker;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.model.Adam;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.Initializer;
import org.modelpar.executor.model.Optimizer;
import org.modelpar.executor.model.Sgd;
import org.modelpar.executor.model.StageModel;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Times every op of a graph (forward and backward, the executor's kernels on real data of the synthetic
 * task) and the optimizer step of each stage of a plan, as PipeDream profiles layers before planning
 * (Narayanan et al., SOSP 2019): the medians feed a {@link CalibratedCostModel}.
 */
public final class Calibration {
    /** Untimed whole passes first: the JIT compiles ND4J's Java side over the first few dozen. */
    private static final int WARMUPS = 10;
    private Calibration() {
    }

    /**
     * Calibrates for a plan: ops at the per-replica micro-batch of its first stage, optimizer per stage.
     *
     * @param repetitions timed runs after the warm-ups; medians are kept
     */
    public static CalibratedCostModel of(ComputationGraph graph, PlacementPlan plan, int repetitions, long seed) {
        Threads.configure(1);
        int samples = Math.max(1, plan.microBatchSize() / plan.dataParallel(0));
        return new CalibratedCostModel(opSeconds(graph, samples, repetitions, seed), samples,
                optimizerSeconds(graph, plan, repetitions, seed));
    }

    /**
     * Forward and backward seconds of every op at {@code samples} samples: per-op medians, scaled so they
     * add up to the median of whole passes (which include what happens between kernels: gradient
     * accumulation, allocation, the occasional preemption).
     */
    public static Map<String, double[]> opSeconds(ComputationGraph graph, int samples, int repetitions, long seed) {
        List<String> all = graph.topologicalOrder().stream().map(OpNode::id).toList();
        PlacementPlan whole = new PlacementPlan(graph.name(), "", "", "", Precision.FP32, OptimizerKind.SGD, samples,
                samples, 1, Schedule.GPIPE, 1, List.of(new Stage(0, List.of("cpu0"), all, false)));
        Map<String, List<Double>> fwd = new HashMap<>();
        Map<String, List<Double>> bwd = new HashMap<>();
        boolean[] recording = {false};
        StageModel model = new StageModel(graph, new Boundary(graph, whole), 0, samples, (op, backward, nanos) -> {
            if (recording[0]) {
                (backward ? bwd : fwd).computeIfAbsent(op, k -> new ArrayList<>()).add(nanos / 1e9);
            }
        });
        Map<String, INDArray> params = parameters(model.parameters(), seed);
        Map<String, INDArray> grads = new HashMap<>();
        params.forEach((k, v) -> grads.put(k, v.like().assign(0)));
        Batch batch = SyntheticTask.forGraph(graph, seed).batch(0, samples);
        INDArray data = batch.inputs().castTo(DataType.FLOAT);
        INDArray targets = batch.targets().castTo(DataType.FLOAT);
        List<Double> forwardPasses = new ArrayList<>();
        List<Double> backwardPasses = new ArrayList<>();
        for (int r = 0; r < repetitions + WARMUPS; r++) {
            recording[0] = r >= WARMUPS;
            // the executor's memory regime: temporaries in a reused scratch workspace
            try (MemoryWorkspace scratch = Scratch.open()) {
                long start = System.nanoTime();
                StageModel.ForwardResult f = model.forward(Map.of(), data, targets, samples, params, false);
                long mid = System.nanoTime();
                model.backward(f.stash(), Map.of(), params, grads);
                if (recording[0]) {
                    forwardPasses.add((mid - start) / 1e9);
                    backwardPasses.add((System.nanoTime() - mid) / 1e9);
                }
            }
        }
        double fwdSum = all.stream().mapToDouble(op -> median(fwd.get(op))).sum();
        double bwdSum = all.stream().mapToDouble(op -> median(bwd.get(op))).sum();
        double fwdScale = fwdSum > 0 ? median(forwardPasses) / fwdSum : 1;
        double bwdScale = bwdSum > 0 ? median(backwardPasses) / bwdSum : 1;
        Map<String, double[]> out = new HashMap<>();
        for (String op : all) {
            out.put(op, new double[] {median(fwd.get(op)) * fwdScale, median(bwd.get(op)) * bwdScale});
        }
        return out;
    }

    /**
     * Median optimizer step seconds of each stage's parameters (a tied copy included), keyed by the
     * stage's parameter count as the simulator counts it (the graph's parameter bytes / 4).
     */
    public static Map<Long, Double> optimizerSeconds(ComputationGraph graph, PlacementPlan plan, int repetitions, long seed) {
        Boundary boundary = new Boundary(graph, plan);
        Timing timing = new Timing(Ticker.system(), WARMUPS, repetitions);
        Map<Long, Double> out = new HashMap<>();
        for (int s = 0; s < plan.pipelineStages(); s++) {
            StageModel model = new StageModel(graph, boundary, s, plan.globalBatchSize());
            Map<String, INDArray> params = parameters(model.parameters(), seed);
            Map<String, INDArray> grads = new HashMap<>();
            params.forEach((k, v) -> grads.put(k, v.mul(1e-3)));
            Optimizer opt = plan.optimizer() == OptimizerKind.ADAM ? new Adam(1e-6) : new Sgd(1e-6);
            long count = plan.stages().get(s).ops().stream()
                    .mapToLong(id -> graph.op(id).orElseThrow().parameterCount()).sum();
            out.put(count, timing.medianSeconds(() -> opt.step(params, grads)));
        }
        return out;
    }

    private static Map<String, INDArray> parameters(List<ParameterSpec> specs, long seed) {
        Map<String, INDArray> params = new HashMap<>();
        specs.forEach(p -> params.put(p.name(), Initializer.initialise(p, seed, DataType.FLOAT)));
        return params;
    }

    private static double median(List<Double> values) {
        return values == null || values.isEmpty() ? 0 : Timing.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
