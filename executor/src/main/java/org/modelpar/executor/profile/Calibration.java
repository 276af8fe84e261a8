package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.modelpar.executor.Batch;
import org.modelpar.executor.KernelArena;
import org.modelpar.executor.PlanSupport;
import org.modelpar.executor.Scratch;
import org.modelpar.executor.Threads;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.kernel.TensorGroup;
import org.modelpar.executor.kernel.ExpertGroup;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.executor.kernel.Tensors;
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
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.TensorSplit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Times every op of a graph (forward and backward, the executor's kernels on real data of the synthetic
 * task) and the optimizer step of each stage of a plan, as PipeDream profiles layers before planning
 * (Narayanan et al., SOSP 2019): per-op typical times feed a {@link CalibratedCostModel}. A calibration takes its
 * samples one {@link #sample() pass} at a time, so a caller can interleave them with the training steps it
 * compares against (on a shared machine whose speed drifts, both then see the same conditions).
 */
public final class Calibration {
    /** Untimed whole passes first: the JIT compiles ND4J's Java side over the first few dozen. */
    private static final int WARMUPS = 10;
    /** Warm-up passes at most: after {@link #WARMUPS}, they go on while the JIT still compiles. */
    private static final int MAX_WARMUPS = 200;
    private final List<String> ops;
    private final int samples;
    private final int tensorParallel;
    /** The ops a rank runs whole (every rank repeats their work; none without tensor or with sequence parallelism). */
    private final Set<String> measuredWhole;
    private final ComputationGraph graph;
    private final TensorParallel tp;
    /** The type the plan's kernels compute in (its precision's; the master weights and optimizer stay fp32). */
    private final DataType computeType;
    private final StageModel model;
    private final Map<String, INDArray> params;
    private final Map<String, INDArray> grads = new HashMap<>();
    private final KernelArena arena = KernelArena.create();
    private final INDArray data;
    private final INDArray targets;
    private final Map<String, List<Double>> fwd = new HashMap<>();
    private final Map<String, List<Double>> bwd = new HashMap<>();
    private final Map<String, List<Double>> wgt = new HashMap<>();
    /** Whether the plan's schedule splits each backward into its input- and weight-gradient parts, as its passes are timed. */
    private final boolean splitsBackward;
    private final List<Double> forwardPasses = new ArrayList<>();
    private final List<Double> backwardPasses = new ArrayList<>();
    private final HostCopies hostCalls;
    private final List<Double> hostCallSeconds = new ArrayList<>();
    private final HostCopies hostCopies;
    private final List<Double> hostCopySeconds = new ArrayList<>();
    private final StageOptimizers optimizers;
    private final List<HostSharing.Round> hostRounds = new ArrayList<>();
    private HostSharing host;
    private int hostWorkers;
    private boolean recording;

    /**
     * Ops at the per-replica micro-batch of the plan's first stage and at the shapes of one rank of its tensor-parallel
     * group (the rank's kernels run alone, their collectives move nothing: the simulator prices those), optimizer per
     * stage; warmed up. A rank's kernel calls are as many as the whole op's and each keeps its fixed dispatch cost, so
     * the whole op's time divided by t would under-price them. The kernels compute in the plan's precision, as the
     * executor's do ({@link PlanSupport#computeType}): ND4J's CPU kernels run bf16 and fp16 many times slower than fp32.
     */
    public Calibration(ComputationGraph graph, PlacementPlan plan, long seed) {
        Threads.configure(1);
        this.ops = graph.topologicalOrder().stream().map(OpNode::id).toList();
        this.samples = Math.max(1, plan.microBatchSize() / plan.dataParallel(0));
        this.tensorParallel = plan.tensorParallel();
        this.graph = graph;
        this.computeType = PlanSupport.computeType(plan.precision(), DataType.FLOAT);
        this.tp = tensorParallel == 1 ? TensorParallel.NONE
                : TensorParallel.of(graph, TensorGroup.alone(tensorParallel), plan.options().sequenceParallel());
        TensorSplit split = TensorSplit.of(graph);
        this.measuredWhole = tensorParallel == 1 || plan.options().sequenceParallel() ? Set.of()
                : graph.ops().stream().filter(split::replicatedWork).map(OpNode::id).collect(Collectors.toSet());
        this.splitsBackward = plan.schedule().splitsBackward();
        this.model = new StageModel(graph, new Boundary(graph, wholeModel(graph, samples)), 0, samples, (op, part, nanos) -> {
            if (recording) {
                (switch (part) {
                    case FORWARD -> fwd;
                    case BACKWARD -> bwd;
                    case WEIGHT_GRADIENT -> wgt;
                }).computeIfAbsent(op, k -> new ArrayList<>()).add(nanos / 1e9);
            }
        }, tp, ExpertGroup.SOLO);
        this.params = StageOptimizers.cast(StageOptimizers.parameters(model.parameters(), seed), computeType);
        params.forEach((k, v) -> grads.put(k, v.like().assign(0)));
        Batch batch = SyntheticTask.forGraph(graph, seed).batch(0, samples);
        this.data = batch.inputs().castTo(computeType);
        this.targets = batch.targets().castTo(computeType);
        this.optimizers = new StageOptimizers(graph, plan, seed, computeType);
        this.hostCalls = HostCopies.tiny(computeType);
        this.hostCopies = new HostCopies(grads);
        JitWarmUp.run(this::pass, WARMUPS, MAX_WARMUPS);
        recording = true;
    }

    /** Calibrates with {@code repetitions} timed passes after the warm-up. */
    public static CalibratedCostModel of(ComputationGraph graph, PlacementPlan plan, int repetitions, long seed) {
        Calibration c = new Calibration(graph, plan, seed);
        for (int r = 0; r < repetitions; r++) {
            c.sample();
        }
        return c.costModel();
    }

    /**
     * One timed forward + backward pass of every op, one optimizer step of every stage and a round of host calls and
     * copies.
     */
    public void sample() {
        pass();
    }

    /**
     * One measurement of the host's compute capacity with {@code workers} workers computing at once
     * (docs/simulator.md, "Shared hosts"), for {@link #hostCapacity()}.
     */
    public void sampleHost(int workers) {
        if (host == null) {
            host = new HostSharing(graph, samples, tp, computeType);
            host.warmUp(workers);
        }
        hostRounds.add(host.round(workers));
        hostWorkers = workers;
    }

    /** The host capacity of the rounds taken so far ({@link HostSharing#capacity(int, List)}), if any were. */
    public java.util.OptionalDouble hostCapacity() {
        return hostRounds.isEmpty() ? java.util.OptionalDouble.empty()
                : java.util.OptionalDouble.of(HostSharing.capacity(hostWorkers, hostRounds));
    }

    /** Timed passes so far. */
    public int samples() {
        return forwardPasses.size();
    }

    /**
     * The cost model: per-op typical times ({@link Timing#typical}, the interquartile mean) scaled so forward and
     * backward each add up to the typical whole pass (which includes what happens between kernels: gradient
     * accumulation, allocation); per stage the typical optimizer step; a collective's host call and copy at the typical
     * times of their rounds ({@link HostCopies}: tiny tensors' per call, the gradients' per byte). The statistic of the
     * measured step ({@link org.modelpar.simulator.timeline.SteadyStep}): a rare pause (a preemption by another process)
     * is left out of both. The small gpt's tensor-parallel rank passed forward in a mean 16.6 ms against a median
     * 12.8 ms, and the mean priced its steps 15-22% slower than measured.
     */
    public CalibratedCostModel costModel() {
        return new CalibratedCostModel(opSeconds(), samples, tensorParallel, measuredWhole, optimizers.steps())
                .withHostRate(hostCopies.rate(typical(hostCopySeconds), typical(hostCallSeconds)));
    }

    /**
     * Per op id, {forward, backward} seconds at this calibration's samples and tensor rank, and where the plan splits
     * the backward its weight-gradient part third (the backward is then both parts, each timed apart): per-op medians
     * scaled so each direction adds up to the median whole pass.
     */
    public Map<String, double[]> opSeconds() {
        if (forwardPasses.isEmpty()) {
            throw new IllegalStateException("no timed calibration pass yet");
        }
        double fwdSum = ops.stream().mapToDouble(op -> typical(fwd.get(op))).sum();
        double bwdSum = ops.stream().mapToDouble(op -> typical(bwd.get(op)) + typical(wgt.get(op))).sum();
        double fwdScale = fwdSum > 0 ? typical(forwardPasses) / fwdSum : 1;
        double bwdScale = bwdSum > 0 ? typical(backwardPasses) / bwdSum : 1;
        Map<String, double[]> opSeconds = new HashMap<>();
        for (String op : ops) {
            double weight = typical(wgt.get(op)) * bwdScale;
            double backward = typical(bwd.get(op)) * bwdScale + weight;
            double forward = typical(fwd.get(op)) * fwdScale;
            opSeconds.put(op, splitsBackward ? new double[] {forward, backward, weight} : new double[] {forward, backward});
        }
        return opSeconds;
    }

    private void pass() {
        // the executor's memory regime: each kernel call in a reused scratch scope, kept arrays pooled
        try (MemoryWorkspace scratch = Scratch.open()) {
            long start = System.nanoTime();
            StageModel.ForwardResult f = model.forward(Map.of(), data, targets, samples, params, Recompute.NONE, arena);
            long mid = System.nanoTime();
            if (splitsBackward) {
                StageModel.InputPass in = model.inputGradients(f.stash(), Map.of(), params, arena);
                model.weightGradients(in.weights(), params, grads, arena, op -> { });
                arena.release(Tensors.unshared(in.weights().arrays(), f.stash().arrays()));
            } else {
                model.backward(f.stash(), Map.of(), params, grads, arena);
            }
            arena.release(f.stash().arrays());
            if (recording) {
                forwardPasses.add((mid - start) / 1e9);
                backwardPasses.add((System.nanoTime() - mid) / 1e9);
            }
        }
        optimizers.step(recording);
        double call = hostCalls.sample() / hostCalls.calls();
        double copies = hostCopies.sample();
        if (recording) {
            hostCallSeconds.add(call);
            hostCopySeconds.add(copies);
        }
    }

    /** The type the calibrated kernels read: that of the batch and the parameters they are handed. */
    DataType kernelType() {
        DataType type = data.dataType();
        params.values().forEach(p -> {
            if (p.dataType() != type) {
                throw new IllegalStateException("parameter in " + p.dataType() + ", batch in " + type);
            }
        });
        return type;
    }

    /** One stage holding every op of {@code graph}, on one device, one micro-batch of {@code samples}. */
    public static PlacementPlan wholeModel(ComputationGraph graph, int samples) {
        List<String> ops = graph.topologicalOrder().stream().map(OpNode::id).toList();
        return new PlacementPlan(graph.name(), "", "", "", Precision.FP32, OptimizerKind.SGD, samples, samples, 1,
                Schedule.GPIPE, 1, List.of(new Stage(0, List.of("cpu0"), ops, false)));
    }

    private static double typical(List<Double> values) {
        return values == null || values.isEmpty() ? 0 : Timing.typical(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
