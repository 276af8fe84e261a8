package org.modelpar.simulator.program;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.modelpar.simulator.cost.ExpertTraffic;
import org.modelpar.simulator.cost.StateBytes;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;

/**
 * The collectives of expert parallelism (degree e, {@link org.modelpar.simulator.plan.PlanOptions#expertParallel()}):
 * replica r of a stage is member {@code r mod e} of the expert-parallel group of replicas
 * {@code [e floor(r / e), e floor(r / e) + e)} and holds that share of every layer's routed experts; the replicas
 * with the same member index hold the same experts and all-reduce their gradients. Groups are per tensor rank.
 */
final class ExpertCollectives {
    private ExpertCollectives() {
    }

    /** The pass's all-to-alls over the device's expert-parallel group, when the stage has any. */
    static Optional<ExpertAllToAll> allToAll(PlanLayout layout, int stage, int replica, int rank, int microBatch,
                                             Direction direction, ExpertTraffic traffic) {
        if (traffic.collectives() == 0) {
            return Optional.empty();
        }
        int e = layout.plan().options().expertParallel();
        int first = replica / e * e;
        return Optional.of(new ExpertAllToAll(stage, microBatch, direction, replicas(layout.plan(), stage, rank, first, 1, e),
                traffic.bytes(), traffic.collectives()));
    }

    /** The all-reduce of the device's expert gradients over the replicas holding the same experts, if more than one. */
    static Optional<ExpertAllReduce> gradientReduce(PlanLayout layout, int stage, int replica, int rank, boolean overlapsBackward) {
        PlacementPlan plan = layout.plan();
        int e = plan.options().expertParallel();
        int holders = plan.dataParallel(stage) / e;
        long params = layout.expertParameterShare(stage);
        if (holders < 2 || params == 0) {
            return Optional.empty();
        }
        long bytes = params * StateBytes.of(plan.precision(), plan.optimizer()).gradients();
        return Optional.of(new ExpertAllReduce(stage, replicas(plan, stage, rank, replica % e, e, holders), bytes, overlapsBackward));
    }

    /** Devices with tensor rank {@code rank} of replicas {@code first, first + step, ...} ({@code count} of them). */
    private static List<String> replicas(PlacementPlan plan, int stage, int rank, int first, int step, int count) {
        List<String> devices = plan.stages().get(stage).devices();
        List<String> group = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            group.add(devices.get((first + k * step) * plan.tensorParallel() + rank));
        }
        return group;
    }
}
