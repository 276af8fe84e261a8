package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;

/**
 * Times every op of a model on this machine's CPU worker with the executor's own kernels, as PipeDream
 * profiles layers before partitioning (Narayanan et al., "PipeDream: generalized pipeline parallelism for
 * DNN training", SOSP 2019): the whole model's forward and backward passes at {@code samples} samples
 * ({@link Calibration}), the medians of the timed passes after the warm-up. The times are stored in the
 * graph as measured times on device type {@link Profiler#DEVICE_TYPE} with the timed sample count as the
 * graph's measured batch size (a graph that already has measured times keeps its batch size and these are
 * scaled to it), so a plan for {@code local:N} made from that graph prices each op by its measured time
 * (its kernel launches fixed, the rest scaled by the samples) instead of the roofline, and the same graph
 * file gives the same plan every time.
 */
public final class ModelProfiler {
    private ModelProfiler() {
    }

    /** {@code graph} with every op's measured time on {@link Profiler#DEVICE_TYPE} (others are kept). */
    public static ComputationGraph measure(ComputationGraph graph, int samples, int repetitions, long seed) {
        if (samples < 1 || repetitions < 1) {
            throw new IllegalArgumentException("samples and repetitions must be at least 1, got " + samples + " and "
                    + repetitions);
        }
        Calibration c = new Calibration(graph, Calibration.wholeModel(graph, samples), seed);
        for (int r = 0; r < repetitions; r++) {
            c.sample();
        }
        Map<String, double[]> seconds = c.opSeconds();
        // a graph without measured times takes the timed sample count as its measured batch (exact); one that
        // has some keeps its batch size, and these times are scaled to it linearly
        boolean others = graph.ops().stream().anyMatch(op -> !op.measured().isEmpty());
        int batch = others ? graph.measuredBatchSize() : samples;
        double scale = (double) batch / samples;
        List<OpNode> ops = new ArrayList<>();
        for (OpNode op : graph.ops()) {
            double[] t = seconds.get(op.id());
            Map<String, MeasuredTime> measured = new LinkedHashMap<>(op.measured());
            measured.put(Profiler.DEVICE_TYPE, new MeasuredTime(t[0] * scale, t[1] * scale));
            ops.add(new OpNode(op.id(), op.name(), op.kind(), op.layer(), op.forwardFlops(), op.backwardFlops(),
                    op.parameterBytes(), op.activationBytes(), op.workspaceBytes(), measured, op.attributes()));
        }
        return ComputationGraph.of(graph.name(), batch, ops, graph.tensors());
    }
}
