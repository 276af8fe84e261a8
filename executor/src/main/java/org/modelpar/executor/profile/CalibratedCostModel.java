package org.modelpar.executor.profile;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import org.modelpar.executor.transport.CollectiveSamples;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.OpWork;
import org.modelpar.simulator.cost.RingStep;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Precision;

/**
 * The simulator's cost model with op and optimizer times measured by running the executor's own kernels
 * on this machine ({@link Calibration}); links come from the cluster profile (roofline model), and with
 * {@link #withRingSteps} a ring collective's step waits what the run's own ring steps waited, with
 * {@link #withSenderSeconds} a send holds its worker as long as that worker's sends held it in the run. An op
 * measured at n samples on a rank of a tensor-parallel group of t_m takes {@code t x samples / n x t_m / t} for
 * another sample count and tensor degree t (exactly its measured time at the measured ones), unless the rank ran the
 * whole op (work every rank repeats, {@code TensorSplit.replicatedWork}): then {@code t x samples / n / t}; an op not
 * measured falls back to the roofline.
 */
public final class CalibratedCostModel implements CostModel {
    private final Map<String, double[]> opSeconds;
    private final int samples;
    private final int tensorParallel;
    private final Set<String> measuredWhole;
    private final Map<Long, Double> optimizerSeconds;
    private final double optimizerSecondsPerParameter;
    private final CollectiveSamples ringSteps;
    private final Map<String, Double> senderSeconds;
    private final RooflineCostModel roofline = new RooflineCostModel();

    /**
     * @param opSeconds        per op id, {forward, backward} seconds at {@code samples} samples
     * @param samples          samples the ops were timed with
     * @param tensorParallel   the tensor-parallel degree of the rank the ops were timed on (1: whole ops)
     * @param measuredWhole    ids of the ops the rank ran whole (every rank repeats their work)
     * @param optimizerSeconds optimizer step seconds by the parameter count of a stage
     */
    public CalibratedCostModel(Map<String, double[]> opSeconds, int samples, int tensorParallel, Set<String> measuredWhole,
                               Map<Long, Double> optimizerSeconds) {
        this(opSeconds, samples, tensorParallel, measuredWhole, optimizerSeconds, CollectiveSamples.NONE, Map.of());
    }

    private CalibratedCostModel(Map<String, double[]> opSeconds, int samples, int tensorParallel, Set<String> measuredWhole,
                                Map<Long, Double> optimizerSeconds, CollectiveSamples ringSteps, Map<String, Double> senderSeconds) {
        if (samples < 1 || tensorParallel < 1 || !senderSeconds.values().stream().allMatch(v -> v >= 0)) {
            throw new IllegalArgumentException("calibrated op times need samples and tensor degree >= 1 and sender seconds >= 0,"
                    + " got samples " + samples + ", tensor degree " + tensorParallel + ", sender seconds " + senderSeconds);
        }
        this.opSeconds = new TreeMap<>();
        opSeconds.forEach((k, v) -> this.opSeconds.put(k, v.clone()));
        this.samples = samples;
        this.tensorParallel = tensorParallel;
        this.measuredWhole = Set.copyOf(measuredWhole);
        this.optimizerSeconds = new TreeMap<>(optimizerSeconds);
        this.optimizerSecondsPerParameter = optimizerSeconds.entrySet().stream()
                .filter(e -> e.getKey() > 0)
                .mapToDouble(e -> e.getValue() / e.getKey()).max().orElse(0);
        this.ringSteps = ringSteps;
        this.senderSeconds = new TreeMap<>(senderSeconds);
    }

    /**
     * This model with every ring collective's step latency taken from {@code ringSteps}, the steps a run's collectives
     * ran ({@link CollectiveSamples#latencySeconds}, net of each chunk's bytes at the ring's bandwidth), instead of
     * the link's per-message latency; without samples, the link's.
     */
    public CalibratedCostModel withRingSteps(CollectiveSamples ringSteps) {
        return new CalibratedCostModel(opSeconds, samples, tensorParallel, measuredWhole, optimizerSeconds, ringSteps, senderSeconds);
    }

    /**
     * This model with every send of a device holding it for {@code senderSeconds} of that device, what the run's sends
     * held it ({@link SendTimes}); 0 (the default, and for a device not given) for sends beside the compute.
     */
    public CalibratedCostModel withSenderSeconds(Map<String, Double> senderSeconds) {
        return new CalibratedCostModel(opSeconds, samples, tensorParallel, measuredWhole, optimizerSeconds, ringSteps, senderSeconds);
    }

    @Override
    public double senderSeconds(ClusterSpec cluster, String fromDevice, String toDevice, long bytes) {
        return senderSeconds.getOrDefault(fromDevice, 0.0);
    }

    /** The link's ring steps, each waiting the measured step latency when there is one ({@link #withRingSteps}). */
    @Override
    public RingStep ringStep(ClusterSpec cluster, List<String> group, double bytes, int passes, int collectives) {
        RingStep link = CostModel.super.ringStep(cluster, group, bytes, passes, collectives);
        OptionalDouble latency = ringSteps.latencySeconds(link.bandwidthBytesPerSecond());
        return link.steps() == 0 || latency.isEmpty() ? link
                : new RingStep(link.bytesPerStep(), link.steps(), latency.getAsDouble(), link.bandwidthBytesPerSecond());
    }

    @Override
    public double forwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
        double[] t = opSeconds.get(op.id());
        return t == null ? roofline.forwardSeconds(op, device, work) : scaled(op, t[0], work);
    }

    @Override
    public double backwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
        double[] t = opSeconds.get(op.id());
        return t == null ? roofline.backwardSeconds(op, device, work) : scaled(op, t[1], work);
    }

    private double scaled(OpNode op, double seconds, OpWork work) {
        int measuredShare = measuredWhole.contains(op.id()) ? 1 : tensorParallel;
        return seconds * work.samples() / samples * measuredShare / work.tensorParallel();
    }

    @Override
    public double optimizerSeconds(DeviceProfile device, long parameters, Precision precision, OptimizerKind optimizer) {
        Double t = optimizerSeconds.get(parameters);
        return t != null ? t : parameters * optimizerSecondsPerParameter;
    }

    @Override
    public Link link(ClusterSpec cluster, String fromDevice, String toDevice) {
        return roofline.link(cluster, fromDevice, toDevice);
    }
}
