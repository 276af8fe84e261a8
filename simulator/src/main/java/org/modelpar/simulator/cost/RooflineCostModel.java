package org.modelpar.simulator.cost;

import java.util.Locale;
import java.util.Optional;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.KernelLaunches.OpLaunches;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;

/**
 * The cost model of docs/simulator.md#cost-model (the roofline model: Williams, Waterman and Patterson,
 * "Roofline: an insightful visual performance model for multicore architectures", CACM 2009).
 *
 * <ul>
 *   <li>An op that carries a measured time for the device's type takes that time: its measured fixed part
 *       (or, when none was measured, its kernel launches {@code launches x kernelLaunchSeconds}, at most the
 *       whole time) as a fixed cost, the rest scaled linearly by {@code samples / measuredBatchSize}, all
 *       divided by the tensor-parallel degree t. Devices without a launch cost (the catalog GPUs) scale the
 *       whole time of a PipeDream profile, as PipeDream does.</li>
 *   <li>Otherwise {@code max(F / (peak x matmulEfficiency(F) x shape), B / (memBandwidth x memoryEfficiency(B)))}
 *       with shape the {@link GemmShape#efficiency()} of a matrix product's m, n and k (1 for other kinds),
 *       F = FLOPs of this device's share ({@code flopsPerSample x samples / t}) and B = bytes it moves:
 *       input and output activations ({@code 2 x activationBytes x samples}) plus parameters, scaled to
 *       the precision and divided by t. Backward moves twice the forward bytes. Peak is the device's
 *       FLOP/s for the precision's dtype (fp32 when the dtype is not listed).</li>
 *   <li>Plus {@code launches x kernelLaunchSeconds} of the device, the op's forward or backward kernel
 *       launches that the device profile lists ({@link OpLaunchCounts}; nothing for an op that processes no samples).</li>
 *   <li>Optimizer: the device's measured seconds per parameter for the optimizer when its profile has
 *       them, else memory bound, reading and writing every byte of parameter, gradient and optimizer
 *       state once; plus the optimizer's launches for each parameter tensor.</li>
 * </ul>
 * Links: devices on one node use the cluster's intra-node link, others the inter-node link (the NIC).
 */
public final class RooflineCostModel implements CostModel {
    @Override
    public double forwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
        return seconds(op, device, work, false);
    }

    @Override
    public double backwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
        return seconds(op, device, work, true);
    }

    private static double seconds(OpNode op, DeviceProfile device, OpWork work, boolean backward) {
        OpLaunches launches = OpLaunchCounts.of(op, device);
        double launch = (backward ? launches.backward() : launches.forward()) * device.kernelLaunchSeconds();
        Optional<MeasuredTime> measured = op.measuredOn(device.name());
        if (measured.isPresent()) {
            // the measured fixed part (else the launches) does not grow with the samples; the rest scales
            MeasuredTime m = measured.get();
            double t = backward ? m.backwardSeconds() : m.forwardSeconds();
            double known = backward ? m.backwardFixedSeconds() : m.forwardFixedSeconds();
            double fixed = work.samples() == 0 ? 0 : m.hasFixedParts() ? known : Math.min(launch, t);
            return (fixed + (t - fixed) * work.samples() / work.measuredBatchSize()) / work.tensorParallel();
        }
        if (work.samples() == 0) {
            return 0;
        }
        double flops = (backward ? op.backwardFlops() : op.forwardFlops()) * work.samples() / work.tensorParallel();
        double bytes = (2.0 * op.activationBytes() * work.samples() + op.parameterBytes())
                * work.byteScale() / work.tensorParallel() * (backward ? 2 : 1);
        double shape = GemmShape.of(op, work).map(GemmShape::efficiency).orElse(1.0);
        return launch + roofline(device, work.precision(), flops, shape, bytes);
    }

    /**
     * {@code max(flops / (peak x eff(flops) x shape), bytes / (bandwidth x eff(bytes)))}, {@code shape} being a
     * matrix product's {@link GemmShape#efficiency()} (1 for other work); zero work takes zero seconds.
     */
    static double roofline(DeviceProfile device, Precision precision, double flops, double shape, double bytes) {
        double compute = flops > 0 ? flops / (peakFlops(device, precision) * device.matmulEfficiency().at(flops) * shape) : 0;
        double memory = bytes > 0
                ? bytes / (device.memoryBandwidthBytesPerSecond() * device.memoryEfficiency().at(bytes)) : 0;
        return Math.max(compute, memory);
    }

    /** Peak FLOP/s of the device for the precision's dtype; fp32 where the dtype is not listed. */
    static double peakFlops(DeviceProfile device, Precision precision) {
        return device.peakFlops(precision.jsonName())
                .or(() -> device.peakFlops(Precision.FP32.jsonName()))
                .orElseThrow(() -> new PlanException("device '" + device.name() + "' lists no peak FLOP/s for "
                        + precision.jsonName() + " or fp32"));
    }

    @Override
    public double optimizerSeconds(DeviceProfile device, long parameters, Precision precision, OptimizerKind optimizer) {
        Optional<Double> measured = device.optimizerSecondsPerParameter(optimizer.name().toLowerCase(Locale.ROOT));
        if (measured.isPresent()) {
            return parameters * measured.get();
        }
        double bytes = 2.0 * parameters * StateBytes.of(precision, optimizer).total();
        return roofline(device, precision, 0, 1, bytes);
    }

    @Override
    public double optimizerSeconds(DeviceProfile device, long parameters, int parameterTensors, Precision precision,
                                   OptimizerKind optimizer) {
        return parameterTensors * OpLaunchCounts.optimizerPerTensor(optimizer, device) * device.kernelLaunchSeconds()
                + optimizerSeconds(device, parameters, precision, optimizer);
    }

    @Override
    public Link link(ClusterSpec cluster, String fromDevice, String toDevice) {
        ClusterDevice a = cluster.device(fromDevice).orElseThrow(() -> unknown(cluster, fromDevice));
        ClusterDevice b = cluster.device(toDevice).orElseThrow(() -> unknown(cluster, toDevice));
        LinkProfile l = cluster.link(a, b);
        return new Link(!a.node().equals(b.node()), l.bandwidthBytesPerSecond(), l.latencySeconds());
    }

    private static PlanException unknown(ClusterSpec cluster, String device) {
        return new PlanException("device '" + device + "' is not in cluster '" + cluster.name() + "'");
    }
}
