package org.modelpar.workflow;

import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.modelpar.executor.profile.Calibration;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ByteSize;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.PlacementPlan;

/**
 * Refuses a local run whose arrays this process cannot hold, before the executor allocates any: ND4J's
 * arrays live in native memory that JavaCPP caps at {@link Pointer#maxBytes()} (by default the JVM's
 * {@code -Xmx}), and a run past the cap ends in an {@link OutOfMemoryError} halfway through allocating.
 * What a run needs is the simulator's memory model of the plan ({@link MemoryModel}: parameters, gradients,
 * optimizer state, stashed activations, workspace of every device).
 */
public final class MachineMemory {
    private MachineMemory() {
    }

    /** Native bytes ND4J may still allocate in this process: JavaCPP's cap less what it holds now. */
    public static long availableBytes() {
        return Math.max(0, Pointer.maxBytes() - Pointer.totalBytes());
    }

    /**
     * Refuses training {@code plan} here when it needs more than {@code availableBytes}: with worker threads every
     * device's memory and the calibration's copies of the model's fp32 weights and gradients ({@link CalibratedPrediction}:
     * the timed model's, and with several devices the host-sharing probe's weights and gradients per device) share this
     * process; with worker processes each holds one device and its own timed model, and this process, which coordinates,
     * the calibration (every process is given the same cap).
     *
     * @throws WorkflowException naming what the run needs and what there is
     */
    public static void requireTrainable(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, boolean workerProcesses,
                                        long availableBytes) {
        Map<String, MemoryBreakdown> devices = MemoryModel.perDevice(graph, cluster, plan);
        long timedModel = 2 * graph.parameterBytes();
        long calibration = timedModel + (devices.size() > 1 ? 2L * devices.size() * graph.parameterBytes() : 0);
        if (workerProcesses) {
            long worker = devices.values().stream().mapToLong(MemoryBreakdown::total).max().orElse(0) + timedModel;
            require("training " + graph.name() + " needs " + ByteSize.format(worker) + " in its largest worker process (its"
                    + " device's memory and " + ByteSize.format(timedModel) + " to time its kernels) and "
                    + ByteSize.format(calibration) + " in this one (to time its kernels and the host's sharing)",
                    Math.max(worker, calibration), availableBytes);
        } else {
            long needed = devices.values().stream().mapToLong(MemoryBreakdown::total).sum() + calibration;
            require("training " + graph.name() + " needs " + ByteSize.format(needed) + " (" + devices.size()
                    + " devices' parameters, gradients, optimizer state and activations, and "
                    + ByteSize.format(calibration) + " to time its kernels and the host's sharing)", needed, availableBytes);
        }
    }

    /**
     * Refuses timing every op of {@code graph} at {@code samples} samples here (the whole model on one
     * worker, as {@code modelpar profile --model} does) when it needs more than {@code availableBytes}.
     *
     * @throws WorkflowException naming what the timing needs and what there is
     */
    public static void requireProfilable(ComputationGraph graph, int samples, Path modelparHome, long availableBytes) {
        ClusterSpec one = LocalCluster.of(1, modelparHome, ProfileLimits.DEFAULT);
        long needed = MemoryModel.perDevice(graph, one, Calibration.wholeModel(graph, samples)).get("cpu0").total();
        require("timing the ops of " + graph.name() + " at " + samples + " samples needs " + ByteSize.format(needed)
                + " (the whole model's weights, gradients and activations)", needed, availableBytes);
    }

    private static void require(String what, long neededBytes, long availableBytes) {
        if (neededBytes > availableBytes) {
            throw new WorkflowException(what + ", but ND4J may allocate " + ByteSize.format(availableBytes)
                    + " more in this process (JavaCPP's cap, by default the JVM's -Xmx): use a smaller model"
                    + " or raise it, e.g. MODELPAR_JAVA_OPTS=-Xmx" + Math.max(1, (neededBytes + (1L << 30) - 1) >> 30) + "g");
        }
    }
}
