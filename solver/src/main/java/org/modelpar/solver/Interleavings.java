package org.modelpar.solver;

import java.util.Optional;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.timefold.PlacementProblem;

/** Interleaved 1F1B tried on the winner of a search (the model chunks per device group v). */
final class Interleavings {
    private Interleavings() {
    }

    /**
     * The winner's configuration as Megatron-LM's interleaved 1F1B (Narayanan et al., SC'21, section 2.2) with
     * v = 2, 3, ... model chunks per device group while there is a block per chunk, each placed by the dynamic
     * program over p x v stages; the v of the lowest estimate ({@link Configuration#stepSlots} x bottleneck) is
     * simulated when that is below the winner's simulated step (the bubble shrinks as 1/v, the sends grow with v,
     * and a v that does not divide the blocks evenly has a heavier bottleneck chunk; one simulation, as a step of a
     * large cluster takes seconds to simulate). A v whose lower bound ({@link ProblemBuilder#lowerBoundSeconds}:
     * the mean chunk and the largest block), or whose chunks' mean with their least transfers
     * ({@link StagePlacer#placeBelow}), is not below the best estimate so far is not placed. Only where the
     * request leaves the schedule open ({@link PlanRequest#searchesInterleaving}), without pins or uneven replicas,
     * with p of at least 2 dividing m.
     */
    /** Whether {@link #of} tries interleaving on this winner (at least v = 2 with a block per chunk). */
    static boolean tried(Candidate winner, StagePlacer placer, PlanRequest request) {
        Configuration c = winner.configuration();
        return request.searchesInterleaving() && request.pins().isEmpty() && c.replicas().isEmpty() && c.pipeline() >= 2
                && c.microBatches() % c.pipeline() == 0 && c.pipeline() * 2 <= placer.blocks().size();
    }

    static Optional<Candidate> of(Candidate winner, StagePlacer placer, ProblemBuilder builder, CandidateBuilder candidates,
                                  PlanRequest request) {
        Configuration c = winner.configuration();
        if (!tried(winner, placer, request)) {
            return Optional.empty();
        }
        Optional<Estimate> best = Optional.empty();
        for (int v = 2; c.pipeline() * v <= placer.blocks().size(); v++) {
            Configuration chunked = c.withVirtualStages(v);
            double bar = best.map(Estimate::stepSeconds).orElse(winner.stepSeconds());
            if (builder.lowerBoundSeconds(chunked) - builder.roundingSeconds(chunked) >= bar) {
                continue;
            }
            Optional<ChunkBudgets.Placed> dp = ChunkBudgets.place(chunked, builder.build(chunked),
                    problem -> placer.placeBelow(problem, bar / chunked.stepSlots() * 1e9));
            double estimate = dp.map(r -> chunked.stepSlots() * r.partition().bottleneck() * 1e-9).orElse(Double.POSITIVE_INFINITY);
            if (estimate < bar) {
                best = Optional.of(new Estimate(chunked, dp.get().problem(), dp.get().partition(), estimate));
            }
        }
        return best.map(e -> candidates.place(e, false));
    }
}
