package org.modelpar.solver;

import java.util.Arrays;
import java.util.Optional;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.solver.partition.IdealPartitioner;

/**
 * PipeDream's hybrid data-parallel stages (Narayanan et al., SOSP'19, section 3.1) in the configuration search:
 * a configuration's replicas shared out unevenly among its stages, chosen with the placement
 * ({@link StagePlacer#placeReplicated}).
 */
final class Hybrids {
    private Hybrids() {
    }

    /**
     * Whether to try PipeDream's hybrid of configuration c (replicas per stage chosen with the placement):
     * stages with several replicas to share out, one device type, no fixed data degree, no pins, no expert
     * parallelism (whose groups need a multiple of e replicas on every stage).
     */
    static boolean allowed(Configuration c, ClusterSpec cluster, PlanRequest request) {
        return c.pipeline() > 1 && c.data() > 1 && cluster.deviceTypes().size() == 1 && request.data().isEmpty()
                && request.pins().isEmpty() && c.expertParallel() == 1 && c.virtualStages() == 1;
    }

    /**
     * The best hybrid placement of c, when its replicas come out uneven: over c's micro-batch size and the
     * others between it and twice it that divide the batch and d ({@link ConfigurationSpace#replicaMicroBatchSizes}),
     * since a stage's replica count must divide the micro-batch (the lowering splits each micro-batch among
     * a stage's replicas), and power-of-two sizes admit only power-of-two counts (no 3+1).
     *
     * @param beatSeconds the estimated step to beat: the even placement's, or less when no slower one could be a
     *                    finalist ({@link Finalists#cutoffSeconds})
     * @param prunes      whether a size is skipped when no hybrid of it can be below the step to beat (its blocks'
     *                    work, {@link ReplicaWork}) or fit in memory ({@link StagePlacer#mayFitReplicated}), and the
     *                    program skips the states that cannot lead below it; the result is the same
     */
    static Optional<Estimate> best(Configuration c, StagePlacer placer, ProblemBuilder builder, PlanRequest request,
                                             double beatSeconds, boolean prunes) {
        Optional<Estimate> best = Optional.empty();
        int batch = request.globalBatchSize();
        for (int size : ConfigurationSpace.replicaMicroBatchSizes(batch, c, request.microBatches().isPresent())) {
            if (c.schedule().splitsBackward() && batch / size < c.pipeline()) {
                continue; // ZB-H1 runs at least p micro-batches
            }
            Configuration sized = c.withMicroBatchSize(size, batch / size);
            // only a placement faster than that and the best hybrid so far is kept: the program seeks no other
            double beat = Math.min(beatSeconds, best.map(Estimate::stepSeconds).orElse(Double.POSITIVE_INFINITY));
            double belowNanos = beat / (sized.stepSlots() * 1e-9);
            if (!placer.replicates(sized)) {
                continue;
            }
            ReplicaWork work = prunes ? ReplicaWork.of(sized, builder, placer.ideals())
                    : ReplicaWork.none(placer.ideals(), sized.pipeline() * sized.data());
            if (prunes && (work.leastBottleneckNanos() >= belowNanos || !placer.mayFitReplicated(sized, builder))) {
                continue;
            }
            Optional<Estimate> e = placer.placeReplicated(sized, builder, belowNanos, work)
                    .filter(r -> Arrays.stream(r.replicasOfStage()).anyMatch(n -> n != c.data()))
                    .map(r -> {
                        Configuration uneven = sized.withReplicas(Arrays.stream(r.replicasOfStage()).boxed().toList());
                        return new Estimate(uneven, builder.build(uneven), new IdealPartitioner.Result(r.stageOfBlock(),
                                r.bottleneck()), sized.stepSlots() * r.bottleneck() * 1e-9);
                    });
            if (e.isPresent() && (best.isEmpty() || e.get().stepSeconds() < best.get().stepSeconds())) {
                best = e;
            }
        }
        return best;
    }
}
