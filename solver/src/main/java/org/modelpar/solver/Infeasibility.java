package org.modelpar.solver;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;

/**
 * Builds the message of an {@link InfeasibleException} from the numbers of the search: the smallest memory
 * any configuration needs per device, where, against which capacity, and what would make it fit
 * (recomputation, a smaller micro-batch, more devices of the type that overflows).
 */
final class Infeasibility {
    private static final double GIB = 1024.0 * 1024 * 1024;

    private Infeasibility() {
    }

    static InfeasibleException explain(List<MemoryNeed> needs, ClusterSpec cluster, PlanRequest request) {
        MemoryNeed best = needs.stream().min(Comparator.comparingDouble(MemoryNeed::ratio)).orElseThrow();
        Configuration c = best.configuration();
        int per = c.tensor() * c.data();
        ClusterDevice device = cluster.devices().get(best.stage() * per);
        StringBuilder m = new StringBuilder();
        m.append(String.format("nothing fits: the smallest plan needs %.1f GiB per device on %s (%s, capacity %.1f GiB,"
                        + " %.1f GiB usable with a %.0f%% margin) with %s, stage %d",
                best.neededBytes() / GIB, device.id(), device.type(), device.profile().memoryBytes() / GIB,
                best.limitBytes() / GIB, request.memoryMargin() * 100, c.label(), best.stage()));
        m.append("; to fit: ");
        Optional<MemoryNeed> noRecompute = bestWhere(needs, n -> !n.configuration().recompute());
        Optional<MemoryNeed> recompute = bestWhere(needs, n -> n.configuration().recompute());
        if (c.recompute()) {
            m.append(String.format("recomputation is already on in that plan (without it: %s)",
                    noRecompute.map(n -> String.format("%.1f GiB", n.neededBytes() / GIB)).orElse("not tried")));
        } else {
            m.append(recompute.map(n -> String.format("recomputation does not help enough (with it: %.1f GiB)",
                    n.neededBytes() / GIB)).orElse("recomputation was not tried"));
        }
        Optional<MemoryNeed> smallest = bestWhere(needs, n -> n.configuration().samplesPerReplica() == 1);
        m.append(c.samplesPerReplica() == 1 ? ", the micro-batch is already 1 sample per replica"
                : smallest.map(n -> String.format(", a micro-batch of 1 sample per replica needs %.1f GiB",
                n.neededBytes() / GIB)).orElse(""));
        long devicesNow = cluster.devices().size();
        long devicesNeeded = (long) Math.ceil(devicesNow * best.ratio());
        int nodeSize = cluster.nodes().get(device.node()).size();
        devicesNeeded = (devicesNeeded + nodeSize - 1) / nodeSize * nodeSize;
        m.append(String.format(", or at least %d more %s devices (about %d in total: the parameter and optimizer"
                        + " state shrinks with the device count)", Math.max(nodeSize, devicesNeeded - devicesNow),
                device.type(), Math.max(devicesNow + nodeSize, devicesNeeded)));
        return new InfeasibleException(m.toString());
    }

    static InfeasibleException fromSimulation(List<Candidate> simulated, ClusterSpec cluster, PlanRequest request) {
        Candidate c = simulated.stream().min(Comparator.comparingLong(x -> x.overflow().orElseThrow().bytesOver()))
                .orElseThrow();
        Candidate.Overflow o = c.overflow().orElseThrow();
        ClusterDevice d = cluster.device(o.device()).orElseThrow();
        return new InfeasibleException(String.format("nothing fits after simulation: the best plan (%s) needs %.1f GiB"
                        + " on %s (%s, %.1f GiB usable of %.1f GiB with a %.0f%% margin), %.1f GiB over; try more %s"
                        + " devices or a smaller micro-batch", c.configuration().label(), o.neededBytes() / GIB, d.id(),
                d.type(), o.limitBytes() / GIB, d.profile().memoryBytes() / GIB, request.memoryMargin() * 100,
                o.bytesOver() / GIB, d.type()));
    }

    private static Optional<MemoryNeed> bestWhere(List<MemoryNeed> needs, java.util.function.Predicate<MemoryNeed> p) {
        return needs.stream().filter(p).min(Comparator.comparingDouble(MemoryNeed::ratio));
    }
}
