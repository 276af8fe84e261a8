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
import org.modelpar.executor.Scratch;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.Initializer;
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
 * {@code computeCapacity} (docs/simulator.md, "Shared hosts"). Runs the same training kernels (forward and
 * backward of a 4 x 256 MLP, 64 samples, in scratch workspaces) on one thread, then on {@code workers} threads at
 * once, each with its own parameters; the capacity is {@code workers x t1 / tN}, the aggregate throughput in
 * single-worker units, kept within [1, workers]. The profiler keeps the median of several rounds; a calibration
 * interleaved with training takes its rounds between steps. The threads are kept between rounds (a thread's
 * workspaces are destroyed when it ends, and ND4J then asks for a full garbage collection) and end once idle for
 * {@link #IDLE_SECONDS}.
 */
final class HostSharing {
    private static final String MODEL = "mlp:layers=4,width=256";
    private static final int SAMPLES = 64;
    private static final int PASSES = 20;
    private static final int WARM_UP_ROUNDS = 30;
    private static final int IDLE_SECONDS = 30;

    private final StageModel model;
    private final INDArray data;
    private final INDArray targets;
    private final List<Own> state = new ArrayList<>();
    private final ThreadPoolExecutor threads;

    HostSharing() {
        ComputationGraph graph = ModelZoo.build(MODEL);
        this.model = new StageModel(graph, new Boundary(graph, Calibration.wholeModel(graph, SAMPLES)), 0, SAMPLES);
        Batch batch = SyntheticTask.forGraph(graph, 1).batch(0, SAMPLES);
        this.data = batch.inputs().castTo(DataType.FLOAT);
        this.targets = batch.targets().castTo(DataType.FLOAT);
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

    /** One thread's parameters and gradients. */
    private record Own(Map<String, INDArray> params, Map<String, INDArray> grads) {
    }

    /** Median capacity of {@code rounds} rounds after one warm-up round. */
    static double capacity(int workers, int rounds) {
        if (workers < 2) {
            return 1.0;
        }
        HostSharing host = new HostSharing();
        host.warmUp(workers);
        double[] c = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            c[r] = host.round(workers);
        }
        host.threads.shutdown();
        return Timing.median(c);
    }

    /** Untimed rounds until the JIT compiler is quiet ({@link JitWarmUp}). */
    void warmUp(int workers) {
        JitWarmUp.run(() -> round(workers), 1, WARM_UP_ROUNDS);
    }

    /** One measurement with {@code workers} threads. */
    double round(int workers) {
        return capacity(workers, run(1), run(workers));
    }

    /**
     * Aggregate throughput of {@code workers} threads that each did one thread's work in {@code allSeconds},
     * against one thread alone in {@code oneSeconds}: {@code workers x one / all}, within [1, workers].
     */
    static double capacity(int workers, double oneSeconds, double allSeconds) {
        return Math.max(1.0, Math.min(workers, workers * oneSeconds / allSeconds));
    }

    /** Wall seconds for {@code count} threads to run {@link #PASSES} forward + backward passes each. */
    private double run(int count) {
        while (state.size() < count) {
            state.add(parameters());
        }
        if (threads.getMaximumPoolSize() < count) {
            threads.setMaximumPoolSize(count);
            threads.setCorePoolSize(count);
        }
        CyclicBarrier start = new CyclicBarrier(count + 1);
        CyclicBarrier end = new CyclicBarrier(count + 1);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            Own own = state.get(t);
            running.add(threads.submit(() -> {
                await(start);
                for (int i = 0; i < PASSES; i++) {
                    try (MemoryWorkspace scratch = Scratch.open()) {
                        StageModel.ForwardResult f = model.forward(Map.of(), data, targets, SAMPLES, own.params(), Recompute.NONE);
                        model.backward(f.stash(), Map.of(), own.params(), own.grads());
                    }
                }
                await(end);
            }));
        }
        await(start);
        long begin = System.nanoTime();
        await(end);
        double seconds = (System.nanoTime() - begin) / 1e9;
        running.forEach(HostSharing::join);
        return seconds;
    }

    private Own parameters() {
        Map<String, INDArray> params = new HashMap<>();
        Map<String, INDArray> grads = new HashMap<>();
        for (ParameterSpec p : model.parameters()) {
            params.put(p.name(), Initializer.initialise(p, 1, DataType.FLOAT));
            grads.put(p.name(), params.get(p.name()).like().assign(0));
        }
        return new Own(params, grads);
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
