package org.modelpar.executor.profile;

import java.util.Map;
import java.util.TreeMap;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.OpWork;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Precision;

/**
 * The simulator's cost model with op and optimizer times measured by running the executor's own kernels
 * on this machine ({@link Calibration}); links come from the cluster profile (roofline model). An op
 * measured at n samples takes {@code t x samples / n} for another sample count; an op not measured
 * falls back to the roofline.
 */
public final class CalibratedCostModel implements CostModel {
    private final Map<String, double[]> opSeconds;
    private final int samples;
    private final Map<Long, Double> optimizerSeconds;
    private final double optimizerSecondsPerParameter;
    private final RooflineCostModel roofline = new RooflineCostModel();

    /**
     * @param opSeconds        per op id, {forward, backward} seconds at {@code samples} samples
     * @param samples          samples the ops were timed with
     * @param optimizerSeconds optimizer step seconds by the parameter count of a stage
     */
    public CalibratedCostModel(Map<String, double[]> opSeconds, int samples, Map<Long, Double> optimizerSeconds) {
        this.opSeconds = new TreeMap<>();
        opSeconds.forEach((k, v) -> this.opSeconds.put(k, v.clone()));
        this.samples = samples;
        this.optimizerSeconds = new TreeMap<>(optimizerSeconds);
        this.optimizerSecondsPerParameter = optimizerSeconds.entrySet().stream()
                .filter(e -> e.getKey() > 0)
                .mapToDouble(e -> e.getValue() / e.getKey()).max().orElse(0);
    }

    @Override
    public double forwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
        double[] t = opSeconds.get(op.id());
        return t == null ? roofline.forwardSeconds(op, device, work) : t[0] * work.samples() / samples / work.tensorParallel();
    }

    @Override
    public double backwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
        double[] t = opSeconds.get(op.id());
        return t == null ? roofline.backwardSeconds(op, device, work) : t[1] * work.samples() / samples / work.tensorParallel();
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
