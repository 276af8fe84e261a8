package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
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
 * compares against (on a shared machine whose speed drifts, both then see the same conditions); a pass timed by the
 * same calibration in a worker process ({@link #pass}) is {@link #add}ed as one of its own.
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
    /** Whether the plan's schedule splits each backward into its input- and weight-gradient parts, as its passes are timed. */
    private final boolean splitsBackward;
    private final HostCopies hostCalls;
    private final HostCopies hostCopies;
    private final List<CalibrationPass> passes = new ArrayList<>();
    /** The op times of the pass under way. */
    private Map<String, double[]> opSeconds = Map.of();
    private final StageOptimizers optimizers;
    private final List<HostSharing.Round> hostRounds = new ArrayList<>();
    private final GcFree gcFree = GcFree.ofThisJvm();
    private HostSharing host;
    private int hostWorkers;

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
        this.model = new StageModel(graph, new Boundary(graph, wholeModel(graph, samples)), 0, samples,
                (op, part, nanos) -> opSeconds.get(op)[part.ordinal()] += nanos / 1e9, tp, ExpertGroup.SOLO);
        this.params = StageOptimizers.cast(StageOptimizers.parameters(model.parameters(), seed), computeType);
        params.forEach((k, v) -> grads.put(k, v.like().assign(0)));
        Batch batch = SyntheticTask.forGraph(graph, seed).batch(0, samples);
        this.data = batch.inputs().castTo(computeType);
        this.targets = batch.targets().castTo(computeType);
        this.optimizers = new StageOptimizers(graph, plan, seed, computeType);
        this.hostCalls = HostCopies.tiny(computeType);
        this.hostCopies = new HostCopies(grads);
        JitWarmUp.run(this::timedPass, WARMUPS, MAX_WARMUPS);
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
     * copies, recorded.
     */
    public void sample() {
        add(pass());
    }

    /**
     * Records a pass timed elsewhere: by a calibration of the same graph and plan in the worker process whose device's
     * kernels it prices.
     *
     * @throws IllegalArgumentException when the pass times other ops or optimizer steps than this calibration
     */
    public void add(CalibrationPass pass) {
        if (!pass.opSeconds().keySet().equals(new HashSet<>(ops))
                || pass.optimizerSeconds().length != optimizers.timings()) {
            throw new IllegalArgumentException("a calibration pass of " + pass.opSeconds().size() + " ops and "
                    + pass.optimizerSeconds().length + " optimizer steps, not of this calibration's " + ops.size() + " and "
                    + optimizers.timings());
        }
        passes.add(pass);
    }

    /**
     * One measurement of the host's compute capacity with {@code workers} workers computing at once
     * (docs/simulator.md, "Shared hosts"), for {@link #hostCapacity()}.
     */
    public void sampleHost(int workers) {
        warmHost(workers);
        hostRounds.add(host.round(workers));
        hostWorkers = workers;
    }

    /**
     * Builds the host's sampler and warms it up for {@code workers} workers ({@link HostSharing#warmUp}: untimed rounds
     * until the JIT compiler is quiet), once; {@link #sampleHost} does it at its first call otherwise. A run calls it
     * before its steps: the warm-up's seconds of threads, kernels and compilation would otherwise come between two of
     * the steps it measures.
     */
    public void warmHost(int workers) {
        if (host == null) {
            host = new HostSharing(graph, samples, tp, computeType);
            host.warmUp(workers);
        }
    }

    /** The host capacity of the rounds taken so far ({@link HostSharing#capacity(int, List)}), if any were. */
    public java.util.OptionalDouble hostCapacity() {
        return hostRounds.isEmpty() ? java.util.OptionalDouble.empty()
                : java.util.OptionalDouble.of(HostSharing.capacity(hostWorkers, hostRounds));
    }

    /** Timed passes so far. */
    public int samples() {
        return passes.size();
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
        return new CalibratedCostModel(opSeconds(), samples, tensorParallel, measuredWhole,
                optimizers.steps(passes.stream().map(CalibrationPass::optimizerSeconds).toList()))
                .withHostRate(hostCopies.rate(typical(CalibrationPass::hostCopySeconds), typical(CalibrationPass::hostCallSeconds)));
    }

    /**
     * Per op id, {forward, backward} seconds at this calibration's samples and tensor rank, and where the plan splits
     * the backward its weight-gradient part third (the backward is then both parts, each timed apart): per-op medians
     * scaled so each direction adds up to the median whole pass.
     */
    public Map<String, double[]> opSeconds() {
        if (passes.isEmpty()) {
            throw new IllegalStateException("no timed calibration pass yet");
        }
        Map<String, double[]> typical = new HashMap<>();
        for (String op : ops) {
            double[] parts = new double[CalibrationPass.PARTS];
            for (int p = 0; p < parts.length; p++) {
                int part = p;
                parts[p] = typical(pass -> pass.opSeconds().get(op)[part]);
            }
            typical.put(op, parts);
        }
        double fwdSum = ops.stream().mapToDouble(op -> typical.get(op)[0]).sum();
        double bwdSum = ops.stream().mapToDouble(op -> typical.get(op)[1] + typical.get(op)[2]).sum();
        double fwdScale = fwdSum > 0 ? typical(CalibrationPass::forwardSeconds) / fwdSum : 1;
        double bwdScale = bwdSum > 0 ? typical(CalibrationPass::backwardSeconds) / bwdSum : 1;
        Map<String, double[]> opSeconds = new HashMap<>();
        for (String op : ops) {
            double[] t = typical.get(op);
            double weight = t[2] * bwdScale;
            double backward = t[1] * bwdScale + weight;
            double forward = t[0] * fwdScale;
            opSeconds.put(op, splitsBackward ? new double[] {forward, backward, weight} : new double[] {forward, backward});
        }
        return opSeconds;
    }

    /**
     * One timed pass, not recorded: a worker process times it on its device's thread and sends it to the calibration
     * that {@link #add}s it. A pass that a garbage collection paused is taken again ({@link GcFree}), as the measured
     * steps leave such steps out: a young collection stops the JVM for 15-60 ms, and the moe's data-parallel rank
     * (forward 19-20 ms, backward 35-36 ms at its 8 samples) saw one in a third of its 30 passes, whose backwards read
     * 50-95 ms; the interquartile mean kept enough of them to price its backward at 44.5 ms, 25% over the clean passes'.
     */
    public CalibrationPass pass() {
        return gcFree.measure(this::timedPass);
    }

    private CalibrationPass timedPass() {
        opSeconds = new HashMap<>();
        ops.forEach(op -> opSeconds.put(op, new double[CalibrationPass.PARTS]));
        double forwardSeconds;
        double backwardSeconds;
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
            forwardSeconds = (mid - start) / 1e9;
            backwardSeconds = (System.nanoTime() - mid) / 1e9;
        }
        double[] optimizerSeconds = optimizers.step();
        double call = hostCalls.sample() / hostCalls.calls();
        return new CalibrationPass(opSeconds, forwardSeconds, backwardSeconds, optimizerSeconds, call, hostCopies.sample());
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

    /** The typical value ({@link Timing#typical}) of one quantity over the recorded passes. */
    private double typical(ToDoubleFunction<CalibrationPass> quantity) {
        return Timing.typical(passes.stream().mapToDouble(quantity).toArray());
    }
}
