package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;

/**
 * Times every op of a model on this machine's CPU worker with the executor's own kernels, as PipeDream
 * profiles layers before partitioning (Narayanan et al., "PipeDream: generalized pipeline parallelism for
 * DNN training", SOSP 2019): the whole model's forward and backward passes at 1 and at {@code samples}
 * samples ({@link Calibration}), the medians of the timed passes after the warm-up. A kernel's time is not
 * proportional to the samples (launches, and the weight gradient a backward writes whatever the batch), so
 * the line through the two gives each op's fixed part. The times are stored in the graph as measured times
 * on device type {@link Profiler#DEVICE_TYPE} with the timed sample count as the graph's measured batch size
 * (a graph that already has measured times keeps its batch size and these are scaled to it), so a plan for
 * {@code local:N} made from that graph prices each op by its measured time instead of the roofline, and the
 * same graph file gives the same plan every time.
 */
public final class ModelProfiler {
    private ModelProfiler() {
    }

    /**
     * {@code graph} with every op's measured time on {@link Profiler#DEVICE_TYPE} (others are kept): timed at
     * 1 and at {@code samples} samples (at least 2), the line through both gives each direction's fixed part.
     */
    public static ComputationGraph measure(ComputationGraph graph, int samples, int repetitions, long seed) {
        if (samples < 2 || repetitions < 1) {
            throw new IllegalArgumentException("samples must be at least 2 and repetitions at least 1, got " + samples
                    + " and " + repetitions);
        }
        Map<String, double[]> one = times(graph, 1, repetitions, seed);
        Map<String, double[]> many = times(graph, samples, repetitions, seed);
        // a graph without measured times takes the timed sample count as its measured batch (exact); one that
        // has some keeps its batch size, and these times are scaled to it (the variable part linearly)
        boolean others = graph.ops().stream().anyMatch(op -> !op.measured().isEmpty());
        int batch = others ? graph.measuredBatchSize() : samples;
        List<OpNode> ops = new ArrayList<>();
        for (OpNode op : graph.ops()) {
            double[] f = line(one.get(op.id())[0], many.get(op.id())[0], samples, batch);
            double[] b = line(one.get(op.id())[1], many.get(op.id())[1], samples, batch);
            ops.add(op.withMeasured(Profiler.DEVICE_TYPE, new MeasuredTime(f[0], b[0], f[1], b[1])));
        }
        return graph.derived(graph.name(), batch, ops, graph.tensors());
    }

    private static Map<String, double[]> times(ComputationGraph graph, int samples, int repetitions, long seed) {
        Calibration c = new Calibration(graph, Calibration.wholeModel(graph, samples), seed);
        for (int r = 0; r < repetitions; r++) {
            c.sample();
        }
        return c.opSeconds();
    }

    /**
     * {time at {@code batch}, fixed part} of the line through (1, {@code one}) and ({@code n}, {@code many}):
     * fixed {@code (n one - many) / (n - 1)}, kept within [0, many] (noise can tilt the line either way).
     */
    static double[] line(double one, double many, int n, int batch) {
        double fixed = Math.max(0, Math.min(many, (n * one - many) / (n - 1)));
        return new double[] {fixed + (many - fixed) * batch / n, fixed};
    }
}
