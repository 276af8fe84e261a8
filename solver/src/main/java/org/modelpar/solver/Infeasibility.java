package org.modelpar.solver;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.modelpar.profiles.ByteSize;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;

/**
 * Builds the message of an {@link InfeasibleException} from the numbers of the search: the smallest memory
 * any configuration needs per device, where, against which capacity, and what would make it fit
 * (recomputation, a smaller micro-batch, more devices of the type that overflows, more memory per device),
 * in the unit that suits the device's memory.
 */
final class Infeasibility {
    private Infeasibility() {
    }

    /**
     * Nothing fits at any of the ZeRO stages searched (lowest first): the numbers of the first, and that the higher
     * ones do not fit either.
     */
    static InfeasibleException atEveryZeroStage(Optional<InfeasibleException> first, List<Integer> stages) {
        List<Integer> sharded = stages.stream().filter(z -> z > 0).toList();
        String rest = sharded.isEmpty() ? "" : sharded.size() == 1 ? " (ZeRO stage " + sharded.get(0) + " does not fit either)"
                : " (ZeRO stages " + sharded.get(0) + " to " + sharded.get(sharded.size() - 1) + " do not fit either)";
        return new InfeasibleException(first.map(Throwable::getMessage).orElse("no ZeRO stage of " + stages
                + " is trained by the runtime") + rest);
    }

    static InfeasibleException explain(List<MemoryNeed> needs, ClusterSpec cluster, PlanRequest request) {
        MemoryNeed best = needs.stream().min(Comparator.comparingDouble(MemoryNeed::ratio)).orElseThrow();
        Configuration c = best.configuration();
        int per = c.tensor() * c.data();
        ClusterDevice device = cluster.devices().get(best.stage() * per);
        long capacity = device.profile().memoryBytes();
        java.util.function.LongFunction<String> size = bytes -> ByteSize.format(bytes, capacity);
        StringBuilder m = new StringBuilder();
        m.append(String.format("nothing fits: the smallest plan needs %s per device on %s (%s, capacity %s,"
                        + " %s usable with a %.0f%% margin) with %s, stage %d",
                size.apply(best.neededBytes()), device.id(), device.type(), size.apply(capacity),
                size.apply(best.limitBytes()), request.memoryMargin() * 100, c.label(), best.stage()));
        m.append("; to fit: ");
        Optional<MemoryNeed> noRecompute = bestWhere(needs, n -> !n.configuration().recompute());
        Optional<MemoryNeed> recompute = bestWhere(needs, n -> n.configuration().recompute());
        if (c.recompute()) {
            m.append(String.format("recomputation is already on in that plan (without it: %s)",
                    noRecompute.map(n -> size.apply(n.neededBytes())).orElse("not tried")));
        } else {
            m.append(recompute.map(n -> "recomputation does not help enough (with it: " + size.apply(n.neededBytes()) + ")")
                    .orElse("recomputation was not tried"));
        }
        Optional<MemoryNeed> smallest = bestWhere(needs, n -> n.configuration().samplesPerReplica() == 1);
        m.append(c.samplesPerReplica() == 1 ? ", the micro-batch is already 1 sample per replica"
                : smallest.map(n -> ", a micro-batch of 1 sample per replica needs " + size.apply(n.neededBytes())).orElse(""));
        long devicesNow = cluster.devices().size();
        long devicesNeeded = (long) Math.ceil(devicesNow * best.ratio());
        int nodeSize = cluster.nodes().get(device.node()).size();
        devicesNeeded = (devicesNeeded + nodeSize - 1) / nodeSize * nodeSize;
        m.append(String.format(", or at least %d more %s devices (about %d in total: the parameter and optimizer"
                        + " state shrinks with the device count)", Math.max(nodeSize, devicesNeeded - devicesNow),
                device.type(), Math.max(devicesNow + nodeSize, devicesNeeded)));
        long memoryNeeded = (long) Math.ceil(best.neededBytes() / (1 - request.memoryMargin()));
        m.append(", or ").append(size.apply(memoryNeeded)).append(" of memory per device");
        return new InfeasibleException(m.toString());
    }

    static InfeasibleException fromSimulation(List<Candidate> simulated, ClusterSpec cluster, PlanRequest request) {
        Candidate c = simulated.stream().min(Comparator.comparingLong(x -> x.overflow().orElseThrow().bytesOver()))
                .orElseThrow();
        Candidate.Overflow o = c.overflow().orElseThrow();
        ClusterDevice d = cluster.device(o.device()).orElseThrow();
        long capacity = d.profile().memoryBytes();
        return new InfeasibleException(String.format("nothing fits after simulation: the best plan (%s) needs %s"
                        + " on %s (%s, %s usable of %s with a %.0f%% margin), %s over; try more %s"
                        + " devices or a smaller micro-batch", c.configuration().label(), ByteSize.format(o.neededBytes(), capacity),
                d.id(), d.type(), ByteSize.format(o.limitBytes(), capacity), ByteSize.format(capacity), request.memoryMargin() * 100,
                ByteSize.format(o.bytesOver(), capacity), d.type()));
    }

    private static Optional<MemoryNeed> bestWhere(List<MemoryNeed> needs, java.util.function.Predicate<MemoryNeed> p) {
        return needs.stream().filter(p).min(Comparator.comparingDouble(MemoryNeed::ratio));
    }
}
