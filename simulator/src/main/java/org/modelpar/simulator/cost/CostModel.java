package org.modelpar.simulator.cost;

import java.util.List;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Precision;

/**
 * Seconds of the pieces of a training step (docs/simulator.md#cost-model). Implementations are stateless or
 * immutable and thread-safe; the solver calls them millions of times.
 *
 * <p>Transfers and collectives here are uncontended times; the event engine shares link bandwidth
 * between concurrent transfers itself, using {@link #link} for each pair of devices.
 */
public interface CostModel {
    /** Forward seconds of one device's share of {@code op}. */
    double forwardSeconds(OpNode op, DeviceProfile device, OpWork work);

    /** Backward seconds of one device's share of {@code op} (without recomputation). */
    double backwardSeconds(OpNode op, DeviceProfile device, OpWork work);

    /** Seconds of the optimizer update of {@code parameters} parameters held by one device. */
    double optimizerSeconds(DeviceProfile device, long parameters, Precision precision, OptimizerKind optimizer);

    /**
     * Seconds of the optimizer update of {@code parameters} parameters held in {@code parameterTensors}
     * tensors by one device; by default the tensor count does not matter.
     */
    default double optimizerSeconds(DeviceProfile device, long parameters, int parameterTensors, Precision precision,
                                    OptimizerKind optimizer) {
        return optimizerSeconds(device, parameters, precision, optimizer);
    }

    /**
     * Seconds of the weight-gradient part of {@code op}'s backward (of {@link #backwardSeconds}), for schedules that run
     * it apart: its {@link BackwardSplit#weightGradientShare FLOP share}.
     */
    default double weightGradientSeconds(OpNode op, DeviceProfile device, OpWork work) {
        return backwardSeconds(op, device, work) * BackwardSplit.weightGradientShare(op);
    }

    /**
     * Seconds of element-wise host work ({@link HostWork}: a collective's sums and copies) on {@code device}: its
     * {@link HostWork#seconds roofline} with a call costing the device's host call.
     */
    default double hostSeconds(DeviceProfile device, HostWork work) {
        return work.seconds(device, device.hostCallSeconds());
    }

    /**
     * CPU seconds a device's transport spends on its host's cores to move {@code bytes} to or from another worker process
     * (framing, sockets, decoding), while they travel; the link's latency and bandwidth time the transfer itself. 0 where
     * no transport shares the cores the device computes on, the default; on a shared host ({@link HostWork}'s nodes) the
     * simulator runs it beside the device's compute.
     */
    default double transportCpuSeconds(double bytes) {
        return 0;
    }

    /** The link between two devices of the cluster (intra-node or the NIC), by device id. */
    Link link(ClusterSpec cluster, String fromDevice, String toDevice);

    /** Point-to-point transfer of {@code bytes}: {@code latency + bytes / bandwidth} of the path. */
    default double transferSeconds(ClusterSpec cluster, String fromDevice, String toDevice, long bytes) {
        if (fromDevice.equals(toDevice)) {
            return 0;
        }
        Link l = link(cluster, fromDevice, toDevice);
        return l.latencySeconds() + bytes / l.bandwidthBytesPerSecond();
    }

    /**
     * Seconds a send of {@code bytes} to {@code toDevice} holds its device's compute stream: 0 where sends run beside
     * the compute (a GPU's copy engines and communication streams), the default. A worker that runs its sends in program
     * order on its compute thread pays the hand-over there (on a shared host, being preempted by the receiver it wakes),
     * and its next compute waits for it.
     */
    default double senderSeconds(ClusterSpec cluster, String fromDevice, String toDevice, long bytes) {
        return 0;
    }

    /**
     * Seconds a device that waited for a message of {@code bytes} from {@code fromDevice} takes, after its transfer, to
     * resume: 0 where the waiting stream resumes at once, the default. A worker thread waits parked, and the message
     * wakes it; on a shared host whose cores are busy it then waits for one, and the compute the message released starts
     * that much later.
     */
    default double wakeSeconds(ClusterSpec cluster, String toDevice, String fromDevice, long bytes) {
        return 0;
    }

    /**
     * Seconds after the step starts at which {@code device} begins it: 0, the default, where every device begins at
     * once. A worker is handed each step (a thread woken by its executor, a process by the coordinator's answer), and
     * on a shared host they wake one after another; a device that starts late delays everything that waits for it.
     */
    default double startSeconds(ClusterSpec cluster, String device) {
        return 0;
    }

    /**
     * The ring steps ({@link RingStep}) of {@code collectives} collectives of {@code passes} ring passes each over
     * {@code group} (in ring order), of {@code bytes} per device in all: {@code collectives x passes x (n-1)} steps of
     * {@code bytes / (collectives x n)} bytes, each paying the latency of the slowest ring link, at its bandwidth.
     * The one owner of what a ring collective costs: every price of one is this record's {@link RingStep#seconds()}.
     * A group of one device has none.
     */
    default RingStep ringStep(ClusterSpec cluster, List<String> group, double bytes, int passes, int collectives) {
        if (group.size() <= 1) {
            return RingStep.NONE;
        }
        Link l = slowestRingLink(cluster, group);
        return RingStep.of(group.size(), bytes, passes, collectives, l.latencySeconds(), l.bandwidthBytesPerSecond());
    }

    /**
     * Ring all-reduce of {@code bytes} per device over {@code group} (in ring order):
     * {@code 2(n-1)/n x S / bw + 2(n-1) x latency}, two passes of {@link #ringStep}. A group of one device costs
     * nothing.
     */
    default double allReduceSeconds(ClusterSpec cluster, List<String> group, long bytes) {
        return ringStep(cluster, group, bytes, 2, 1).seconds();
    }

    /** Ring all-gather, {@code bytes} being the gathered size: {@code (n-1)/n x S / bw + (n-1) x latency}. */
    default double allGatherSeconds(ClusterSpec cluster, List<String> group, long bytes) {
        return ringStep(cluster, group, bytes, 1, 1).seconds();
    }

    /** Ring reduce-scatter of {@code bytes} per device: {@code (n-1)/n x S / bw + (n-1) x latency}. */
    default double reduceScatterSeconds(ClusterSpec cluster, List<String> group, long bytes) {
        return ringStep(cluster, group, bytes, 1, 1).seconds();
    }

    /** The slowest link of the ring through {@code group} (lowest bandwidth, then highest latency). */
    default Link slowestRingLink(ClusterSpec cluster, List<String> group) {
        Link slowest = null;
        int n = group.size();
        for (int i = 0; i < n; i++) {
            Link l = link(cluster, group.get(i), group.get((i + 1) % n));
            if (slowest == null || l.bandwidthBytesPerSecond() < slowest.bandwidthBytesPerSecond()
                    || (l.bandwidthBytesPerSecond() == slowest.bandwidthBytesPerSecond()
                    && l.latencySeconds() > slowest.latencySeconds())) {
                slowest = l;
            }
        }
        return slowest;
    }

    /**
     * A link class between two devices.
     *
     * @param interNode              whether the path crosses nodes (uses the NICs)
     * @param bandwidthBytesPerSecond bandwidth of the path
     * @param latencySeconds          per-message latency
     */
    record Link(boolean interNode, double bandwidthBytesPerSecond, double latencySeconds) {
    }
}
