package org.modelpar.executor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.OpTimer;
import org.modelpar.executor.model.StageModel;
import org.modelpar.executor.transport.Transport;
import org.modelpar.executor.transport.TransportLoad;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.timeline.Timeline;
import org.modelpar.simulator.program.StepProgram;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a {@link StepProgram} on local devices, one worker thread per device (bound to its GPU through
 * ND4J's affinity manager on the CUDA backend). Each {@link #step(Batch)} runs every device's program
 * once. Either all devices run in this process over the in-process transport, or (a worker process)
 * only some of them, over a transport to the processes running the others. After a failure the executor
 * is unusable; close it.
 */
public final class Executor implements AutoCloseable {
    /** How long the other devices get to stop by themselves after a failure before they are interrupted. */
    static final long STRAGGLER_MILLIS = 2000;
    private final StepProgram program;
    private final List<DeviceWorker> workers = new ArrayList<>();
    private final DeviceStates states;
    private final Map<String, ExecutorService> threads = new LinkedHashMap<>();
    private final RunContext run;
    private final boolean ownsTransport;
    private final List<Thread> computeThreads = new ArrayList<>();
    private final ProcessCpu cpu;
    private int stepsDone;

    private Executor(ComputationGraph graph, StepProgram program, ExecutorOptions options, Set<String> devices,
                     Transport transport, boolean ownsTransport) {
        PlacementPlan plan = program.plan();
        PlanSupport.check(graph, plan);
        this.program = program;
        Threads.configure(options.threadsPerDevice());
        Boundary boundary = new Boundary(graph, plan);
        List<StageModel> stages = new ArrayList<>();
        for (int s = 0; s < plan.pipelineStages(); s++) {
            stages.add(new StageModel(graph, boundary, s, plan.globalBatchSize()));
        }
        RunControl control = new RunControl(options.timeout().toNanos());
        this.ownsTransport = ownsTransport;
        this.run = new RunContext(control, options.ticker(), options.faultHook(), transport, TiedGroups.of(graph, program, stages),
                program.programs().stream().map(DeviceProgram::device).toList());
        Map<String, Map<Integer, DeviceWorker.Chunk>> chunks = new LinkedHashMap<>();
        Map<String, CollectiveClock> clocks = new LinkedHashMap<>();
        Map<String, NormGradients> norms = new LinkedHashMap<>();
        for (DeviceProgram p : program.programs()) {
            TensorRing ring = TensorRing.of(plan, p, run);
            ExpertExchange experts = ExpertExchange.of(plan, p, run);
            clocks.put(p.device(), plan.tensorParallel() > 1 ? ring : experts.size() > 1 ? experts : CollectiveClock.NONE);
            TensorParallel tp = plan.tensorParallel() == 1 ? TensorParallel.NONE : TensorParallel.of(graph, ring,
                    plan.options().sequenceParallel());
            Map<Integer, DeviceWorker.Chunk> mine = new TreeMap<>();
            for (int s = p.stage(); s < plan.pipelineStages(); s += plan.pipelineDegree()) {
                StageModel model = plan.tensorParallel() == 1 && experts.size() == 1 ? stages.get(s)
                        : new StageModel(graph, boundary, s, plan.globalBatchSize(), OpTimer.NONE, tp, experts);
                mine.put(s, new DeviceWorker.Chunk(model, plan.stages().get(s).recomputation()));
            }
            chunks.put(p.device(), mine);
            norms.put(p.device(), NormGradients.of(tp, boundary, mine));
        }
        Map<String, List<ParameterSpec>> specs = new LinkedHashMap<>();
        chunks.forEach((d, m) -> specs.put(d, ParameterLayout.union(m.values().stream().map(DeviceWorker.Chunk::model).toList())));
        this.states = new DeviceStates(new ParameterLayout(specs, ParameterLayout.zeroParts(program)));
        int gpus = Nd4j.getAffinityManager().getNumberOfDevices();
        int index = 0;
        for (DeviceProgram p : program.programs()) {
            if (!devices.contains(p.device())) {
                index++;
                continue;
            }
            int gpu = index++ % Math.max(1, gpus);
            ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "modelpar-" + p.device());
                t.setDaemon(true);
                computeThreads.add(t);
                return t;
            });
            threads.put(p.device(), thread);
            DeviceState state = await(thread.submit(() -> {
                if (gpus > 1) {
                    Nd4j.getAffinityManager().unsafeSetDevice(gpu);
                }
                return DeviceStates.create(specs.get(p.device()), options, plan, p);
            }));
            states.put(p.device(), state);
            workers.add(new DeviceWorker(p, chunks.get(p.device()), clocks.get(p.device()), boundary, state, run, plan.microBatchSize(),
                    plan.dataParallel(p.stage()), options.dataType(), MessageScatter.of(graph, plan, p.tensorRank()),
                    norms.get(p.device())));
        }
        this.cpu = new ProcessCpu(() -> {
            List<Thread> mine = new ArrayList<>(computeThreads);
            workers.forEach(w -> mine.addAll(w.sideThreads()));
            return mine;
        });
    }

    /** Builds the executor of every device; throws {@code PlanException} for a plan it cannot run. */
    public static Executor create(ComputationGraph graph, StepProgram program, ExecutorOptions options) {
        Set<String> all = Set.copyOf(MailboxCapacities.of(program).keySet());
        return new Executor(graph, program, options, all, new InProcessTransport(MailboxCapacities.of(program)), true);
    }

    /**
     * Builds the executor of {@code devices} only (a worker process), exchanging messages with the others
     * over {@code transport}, which the caller closes after this executor.
     */
    public static Executor create(ComputationGraph graph, StepProgram program, ExecutorOptions options,
                                  Set<String> devices, Transport transport) {
        return new Executor(graph, program, options, Set.copyOf(devices), transport, false);
    }


    /**
     * Runs one training step on every device; returns the step's mean loss, wall time, timed ring steps, the CPU time
     * the process spent outside the devices' threads and the transport's event loop meanwhile ({@link ProcessCpu}), what
     * the transport moved between processes ({@link TransportLoad}) and the garbage collections that
     * paused it (the timeline marks such a step: {@link org.modelpar.simulator.timeline.Timeline#pausedSteps()}).
     */
    public StepResult step(Batch batch) {
        if (batch.samples() != program.plan().globalBatchSize()) {
            throw new IllegalArgumentException("batch has " + batch.samples() + " samples, the plan's global batch is "
                    + program.plan().globalBatchSize());
        }
        int step = stepsDone;
        long outside = cpu.outsideNanos();
        TransportLoad transported = run.transport().load();
        long collections = GarbageCollections.soFar();
        long start = run.ticker().nanos();
        List<Future<Double>> results = new ArrayList<>();
        for (DeviceWorker w : workers) {
            results.add(threads.get(w.device()).submit(() -> w.runStep(step, batch)));
        }
        double loss = awaitAll(step, results);
        stepsDone++;
        double seconds = (run.ticker().nanos() - start) / 1e9;
        long paused = GarbageCollections.soFar() - collections;
        if (paused > 0) {
            run.timeline().paused(step);
        }
        TransportLoad load = run.transport().load().since(transported);
        double background = Math.max(0, (cpu.outsideNanos() - outside) / 1e9 - load.cpuSeconds());
        return new StepResult(step, loss, seconds, run.collectives().takeSamples(), background, load, paused);
    }

    /**
     * Waits for every device; once one has failed, gives the others {@link #STRAGGLER_MILLIS} to stop on
     * their own (they poll the failure flag), then interrupts the rest (a hung worker), and throws the
     * failure naming the device and instruction.
     */
    private double awaitAll(int step, List<Future<Double>> results) {
        double loss = 0;
        long failedAt = -1;
        for (Future<Double> f : results) {
            while (true) {
                try {
                    loss += f.get(RunControl.POLL_MILLIS, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    if (run.control().failure() != null) {
                        failedAt = failedAt < 0 ? System.nanoTime() : failedAt;
                        if (System.nanoTime() - failedAt > STRAGGLER_MILLIS * 1_000_000L) {
                            results.forEach(r -> r.cancel(true));
                            break;
                        }
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                    if (run.control().failure() == null) {
                        Throwable cause = e.getCause() == null ? e : e.getCause();
                        throw new ExecutionException(workers.get(results.indexOf(f)).device(), "step " + step,
                                String.valueOf(cause.getMessage()), cause);
                    }
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while running step " + step, e);
                }
            }
        }
        ExecutionException failure = run.control().failure();
        if (failure != null) {
            throw failure;
        }
        return loss;
    }

    /** Steps completed. */
    public int stepsDone() {
        return stepsDone;
    }

    /**
     * Copies of all parameters, whole: each from the first device (in plan order) that holds it, a tensor-parallel
     * one put together from its ranks' parts ({@link ParameterLayout}).
     */
    public Map<String, INDArray> parameters() {
        return states.parameters();
    }

    /** Optimizer state of all parameters, put together as {@link #parameters()}. */
    public Map<String, INDArray> optimizerState() {
        return states.optimizerState();
    }

    /** Copies of the parameter parts each device of this executor holds, by device. */
    public Map<String, Map<String, INDArray>> parameterParts() {
        return states.parameterParts();
    }

    /** Copies of the optimizer state each device of this executor holds, by device. */
    public Map<String, Map<String, INDArray>> optimizerStateParts() {
        return states.optimizerStateParts();
    }

    /** Loads whole parameters and optimizer state into every device holding them (its parts) and sets the step count. */
    public void restore(Map<String, INDArray> params, Map<String, INDArray> optimizerState, int steps) {
        states.restore(params, optimizerState);
        this.stepsDone = steps;
    }

    /** The devices' compute threads, in program order, while this executor is open. */
    public ComputeThreads computeThreads() {
        List<ExecutorService> all = List.copyOf(threads.values());
        return new ComputeThreads() {
            @Override
            public int count() {
                return all.size();
            }

            @Override
            public void run(int index, Runnable task) {
                await(all.get(Math.floorMod(index, all.size())).submit(task));
            }
        };
    }

    /** Every instruction executed so far, and memory samples, in seconds since the executor started. */
    public Timeline timeline() {
        return run.timeline().build();
    }

    /** {@link #timeline()}'s step {@code step} ({@link Timeline#step}), without ordering the other steps' spans. */
    public Timeline timeline(int step) {
        return run.timeline().step(step);
    }

    /** When the executor started ({@link #timeline()}'s second 0), in wall-clock seconds since the epoch. */
    public double originEpochSeconds() {
        return run.originEpochSeconds();
    }

    /**
     * Buffers each device's pool has allocated for arrays that outlive an instruction, and the message
     * pool (key {@code "messages"}); read between steps.
     */
    Map<String, Long> pooledAllocations() {
        Map<String, Long> out = new LinkedHashMap<>();
        workers.forEach(w -> out.put(w.device(), w.pooledAllocations()));
        if (run.transport() instanceof InProcessTransport t) {
            out.put("messages", t.allocations());
        }
        return out;
    }

    /** Peak accounted bytes per device, in plan order. */
    public Map<String, Long> peakMemoryBytes() {
        return states.peakMemoryBytes();
    }

    @Override
    public void close() {
        workers.forEach(DeviceWorker::close);
        for (ExecutorService t : threads.values()) {
            t.submit(Scratch::destroy);
            t.shutdown();
        }
        for (ExecutorService t : threads.values()) {
            try {
                if (!t.awaitTermination(STRAGGLER_MILLIS, TimeUnit.MILLISECONDS)) {
                    t.shutdownNow();
                    t.awaitTermination(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (ownsTransport) {
            run.transport().close();
        }
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a device's thread", e);
        }
    }
}
