package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.modelpar.executor.Batch;
import org.modelpar.executor.KernelArena;
import org.modelpar.executor.Scratch;
import org.modelpar.executor.kernel.ExpertGroup;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.Initializer;
import org.modelpar.executor.model.OpTimer;
import org.modelpar.executor.model.StageModel;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.Recompute;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How much compute a host delivers when all its workers compute at once: the node's
 * {@code computeCapacity} (docs/simulator.md, "Shared hosts"). Runs a model's training kernels (forward and
 * backward, in scratch workspaces) on one thread, then on N threads at once, one per worker and at most one per core
 * ({@link #threads}), each with its own parameters, gradients and batch; the capacity is {@code N x t1 / tN}, the
 * aggregate throughput in single-worker units, kept within [1, N]. The profiler measures it with a 4 x 256 MLP at 64 samples; a
 * calibration measures it between training steps with the plan's own model at its own shapes, since what N threads
 * gain depends on the kernels they run. A round runs enough passes to take about {@link #ROUND_SECONDS} on one thread,
 * and is taken again when a garbage collection paused it ({@link GcFree}); the capacity of several rounds is the ratio
 * of their median times. The threads are kept between rounds (a thread's workspaces are destroyed when it ends) and end
 * once idle for {@link #IDLE_SECONDS}.
 */
final class HostSharing {
    private static final String PROFILE_MODEL = "mlp:layers=4,width=256";
    private static final int PROFILE_SAMPLES = 64;
    /** The time a round's single thread computes for, at least {@link #MIN_PASSES} passes. */
    private static final double ROUND_SECONDS = 0.05;
    private static final int MIN_PASSES = 2;
    private static final int MAX_PASSES = 20;
    private static final int WARM_UP_ROUNDS = 30;
    private static final int IDLE_SECONDS = 30;

    private final StageModel model;
    private final int samples;
    private final INDArray data;
    private final INDArray targets;
    private final DataType computeType;
    private final List<Own> perThread = new ArrayList<>();
    private final ThreadPoolExecutor threads;
    private final GcFree gcFree = GcFree.ofThisJvm();
    private int passes = MAX_PASSES;

    /**
     * Measures with {@code graph}'s whole model at {@code samples} samples, its kernels at the shapes of one rank of
     * {@code tp} computing in {@code computeType} (a calibration's model).
     */
    HostSharing(ComputationGraph graph, int samples, TensorParallel tp, DataType computeType) {
        this.model = new StageModel(graph, new Boundary(graph, Calibration.wholeModel(graph, samples)), 0, samples,
                OpTimer.NONE, tp, ExpertGroup.SOLO);
        this.samples = samples;
        this.computeType = computeType;
        Batch batch = SyntheticTask.forGraph(graph, 1).batch(0, samples);
        this.data = batch.inputs().castTo(computeType);
        this.targets = batch.targets().castTo(computeType);
        this.threads = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(() -> {
                try {
                    r.run();
                } finally {
                    Scratch.destroy();
                }
            }, "modelpar-profile-host");
            t.setDaemon(true);
            return t;
        });
        threads.allowCoreThreadTimeOut(true);
    }

    /**
     * One round: the wall seconds of one thread's passes alone, and the seconds {@code workers} threads take for as many
     * passes each at the aggregate rate they had while all of them ran ({@link #allSeconds}).
     */
    record Round(double oneSeconds, double allSeconds) {
    }

    /** The capacity of {@code rounds} rounds after the warm-up. */
    static double capacity(int workers, int rounds) {
        if (workers < 2) {
            return 1.0;
        }
        HostSharing host = new HostSharing(ModelZoo.build(PROFILE_MODEL), PROFILE_SAMPLES, TensorParallel.NONE, DataType.FLOAT);
        host.warmUp(workers);
        List<Round> measured = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            measured.add(host.round(workers));
        }
        host.threads.shutdown();
        return capacity(workers, measured);
    }

    /**
     * The capacity of measured rounds: of the median single-thread time and the median all-threads time, each round's
     * own ratio being as noisy as its two short timings (2 threads of the small gpt read 1.3 to 2.0 round by round on a
     * quiet 2-core machine, clamped at 2 whenever the single thread was disturbed).
     */
    static double capacity(int workers, List<Round> rounds) {
        return capacity(threads(workers, Runtime.getRuntime().availableProcessors()), Timing.typical(rounds.stream().mapToDouble(Round::oneSeconds).toArray()),
                Timing.typical(rounds.stream().mapToDouble(Round::allSeconds).toArray()));
    }

    /**
     * Untimed rounds until the JIT compiler is quiet ({@link JitWarmUp}), then the passes a round runs: about
     * {@link #ROUND_SECONDS} of one thread's compute, within [{@value #MIN_PASSES}, {@value #MAX_PASSES}].
     */
    void warmUp(int workers) {
        passes = MIN_PASSES;
        JitWarmUp.run(() -> round(workers), 1, WARM_UP_ROUNDS);
        double pass = run(1) / passes;
        passes = (int) Math.max(MIN_PASSES, Math.min(MAX_PASSES, Math.ceil(ROUND_SECONDS / pass)));
    }

    /**
     * One measurement for {@code workers} workers on this machine's cores ({@link #threads}), one that no garbage
     * collection paused ({@link GcFree}).
     */
    Round round(int workers) {
        return gcFree.measure(() -> new Round(run(1), run(threads(workers, Runtime.getRuntime().availableProcessors()))));
    }

    /**
     * The threads that measure the capacity of {@code workers} workers on {@code cores} cores: one per worker, at most
     * one per core. The
     * capacity is what the cores deliver when all are busy, which the simulator divides among however many devices
     * compute at once; threads beyond the cores add only the scheduler's time slicing to the timing: the small gpt's
     * kernels read 1.21-1.83 in 15-round estimates with four threads on the 2-core VM, 1.68-1.78 with two.
     */
    static int threads(int workers, int cores) {
        return Math.max(1, Math.min(workers, cores));
    }

    /**
     * Aggregate throughput of {@code workers} threads that each did one thread's work in {@code allSeconds},
     * against one thread alone in {@code oneSeconds}: {@code workers x one / all}, within [1, workers].
     */
    static double capacity(int workers, double oneSeconds, double allSeconds) {
        return Math.max(1.0, Math.min(workers, workers * oneSeconds / allSeconds));
    }

    /**
     * What one thread computes with: its own parameters, gradients, batch and arena (no array is shared between threads,
     * as no array is shared between workers).
     */
    private record Own(Map<String, INDArray> params, Map<String, INDArray> grads, INDArray data, INDArray targets,
                       KernelArena arena) {
    }

    private Own fresh() {
        Map<String, INDArray> params = new HashMap<>();
        Map<String, INDArray> grads = new HashMap<>();
        model.parameters().forEach(p -> {
            params.put(p.name(), Initializer.initialise(p, 1, DataType.FLOAT).castTo(computeType));
            grads.put(p.name(), params.get(p.name()).like().assign(0));
        });
        return new Own(params, grads, data.dup(), targets.dup(), KernelArena.create());
    }

    /**
     * Seconds {@code count} threads take to run {@link #passes} forward + backward passes each at their aggregate
     * throughput while all of them run ({@link #allSeconds}); one thread's wall seconds when alone.
     */
    private double run(int count) {
        while (perThread.size() < count) {
            perThread.add(fresh());
        }
        if (threads.getMaximumPoolSize() < count) {
            threads.setMaximumPoolSize(count);
            threads.setCorePoolSize(count);
        }
        CyclicBarrier start = new CyclicBarrier(count + 1);
        CyclicBarrier end = new CyclicBarrier(count + 1);
        List<Future<?>> running = new ArrayList<>();
        long[][] marks = new long[count][passes + 1];
        for (int t = 0; t < count; t++) {
            Own o = perThread.get(t);
            long[] mine = marks[t];
            running.add(threads.submit(() -> {
                await(start);
                mine[0] = System.nanoTime();
                for (int i = 1; i < mine.length; i++) {
                    try (MemoryWorkspace scratch = Scratch.open()) {
                        StageModel.ForwardResult f = model.forward(Map.of(), o.data(), o.targets(), samples, o.params(),
                                Recompute.NONE, o.arena());
                        model.backward(f.stash(), Map.of(), o.params(), o.grads(), o.arena());
                        o.arena().release(f.stash().arrays());
                    }
                    mine[i] = System.nanoTime();
                }
                await(end);
            }));
        }
        await(start);
        await(end);
        running.forEach(HostSharing::join);
        return allSeconds(marks);
    }

    /**
     * The seconds the threads whose pass ends are {@code marks} (per thread: its start, then the end of each pass) would
     * take to run all their passes at the aggregate rate they had while every one of them ran: from the last start to the
     * first thread's end, each thread's progress interpolated linearly within a pass. The wall time to the last thread's
     * end would count the tail in which the others had finished and it ran alone: with more threads than cores the
     * scheduler's time slices left one thread behind by a pass, and the capacity of 4 threads on 2 cores read lower the
     * shorter the round (1.38 at 50 ms rounds, 1.60 at 200 ms).
     */
    static double allSeconds(long[][] marks) {
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int passes = 0;
        for (long[] m : marks) {
            from = Math.max(from, m[0]);
            to = Math.min(to, m[m.length - 1]);
            first = Math.min(first, m[0]);
            last = Math.max(last, m[m.length - 1]);
            passes += m.length - 1;
        }
        if (to <= from) {
            return (last - first) / 1e9; // they never all ran at once: the wall time
        }
        double done = 0;
        for (long[] m : marks) {
            done += progress(m, to) - progress(m, from);
        }
        return passes * (to - from) / 1e9 / done;
    }

    /** Passes done by {@code at}, within a pass in proportion to its time. */
    private static double progress(long[] marks, long at) {
        for (int i = 1; i < marks.length; i++) {
            if (at <= marks[i]) {
                return i - 1 + (double) (at - marks[i - 1]) / Math.max(1, marks[i] - marks[i - 1]);
            }
        }
        return marks.length - 1;
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while profiling the host", e);
        } catch (java.util.concurrent.BrokenBarrierException e) {
            throw new IllegalStateException("a profiling thread failed", e);
        }
    }

    private static void join(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a profiling thread failed: " + e.getCause(), e.getCause());
        }
    }
}
