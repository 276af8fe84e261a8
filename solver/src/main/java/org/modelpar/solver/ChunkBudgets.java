package org.modelpar.solver;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.timefold.Block;
import org.modelpar.solver.timefold.PlacementProblem;
import org.modelpar.solver.timefold.StageSlot;

/**
 * The memory of interleaved 1F1B's model chunks (Narayanan et al., SC'21, section 2.2): a device group holds its v
 * chunks, so their memory summed, not each chunk alone, must fit its usable memory. The dynamic program bounds each
 * stage by itself, so the chunks' shares of a device are chosen around it:
 *
 * <ol>
 *   <li>every chunk may use all of its device's memory (a relaxation: no placement that fits is excluded); when the
 *       program's placement fits every device summed over its chunks, it is the best that fits;</li>
 *   <li>otherwise each chunk gets its share of the relaxed placement's memory on its device, and each chunk 1/v of
 *       the device; the program places both, and the faster placement (each fits by construction) is kept.</li>
 * </ol>
 * The memory per block is the placement's upper bound; the simulator checks the plan's peak exactly.
 */
final class ChunkBudgets {
    /** A placement with the problem whose stage capacities it keeps (the chunks' shares of their devices). */
    record Placed(PlacementProblem problem, IdealPartitioner.Result partition) {
    }

    private ChunkBudgets() {
    }

    /**
     * The placement of configuration c minimizing the slowest stage where every device fits its chunks' memory summed.
     *
     * @param relaxed the problem of c whose every stage may use all of its device's usable memory
     *                ({@link ProblemBuilder#build})
     * @param program the dynamic program placing a problem, empty when nothing fits
     */
    static Optional<Placed> place(Configuration c, PlacementProblem relaxed,
                                  Function<PlacementProblem, Optional<IdealPartitioner.Result>> program) {
        Optional<Placed> first = program.apply(relaxed).map(r -> new Placed(relaxed, r));
        if (c.virtualStages() == 1 || first.isEmpty()) {
            return first; // a chunk with less memory than its whole device fits no more
        }
        long[] chunkBytes = chunkBytes(relaxed, first.get().partition().stageOfBlock());
        long[] shares = shares(c, relaxed, chunkBytes);
        if (fits(c, relaxed, chunkBytes)) {
            return Optional.of(new Placed(withCapacities(relaxed, shares), first.get().partition()));
        }
        long[] even = new long[c.stages()];
        for (int s = 0; s < even.length; s++) {
            even[s] = relaxed.stages().get(s).capacityBytes() / c.virtualStages();
        }
        Optional<Placed> best = Optional.empty();
        for (long[] capacities : List.of(shares, even)) {
            PlacementProblem limited = withCapacities(relaxed, capacities);
            Optional<IdealPartitioner.Result> r = program.apply(limited);
            if (r.isPresent() && (best.isEmpty() || r.get().bottleneck() < best.get().partition().bottleneck())) {
                best = Optional.of(new Placed(limited, r.get()));
            }
        }
        return best;
    }

    /** The memory of each chunk (stage) when {@code stageOfBlock} places the blocks: its blocks' bytes summed. */
    static long[] chunkBytes(PlacementProblem problem, int[] stageOfBlock) {
        long[] bytes = new long[problem.stages().size()];
        for (Block b : problem.blocks()) {
            int s = stageOfBlock[b.index()];
            bytes[s] = Math.addExact(bytes[s], b.memoryBytes()[s]);
        }
        return bytes;
    }

    /** Each device group's chunks summed, per group (p entries). */
    static long[] groupBytes(Configuration c, long[] chunkBytes) {
        long[] sums = new long[c.pipeline()];
        for (int s = 0; s < chunkBytes.length; s++) {
            sums[c.groupOf(s)] = Math.addExact(sums[c.groupOf(s)], chunkBytes[s]);
        }
        return sums;
    }

    private static boolean fits(Configuration c, PlacementProblem relaxed, long[] chunkBytes) {
        long[] sums = groupBytes(c, chunkBytes);
        for (int g = 0; g < sums.length; g++) {
            if (sums[g] > relaxed.stages().get(g).capacityBytes()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Each chunk's share of its device: on a device whose chunks fit, its bytes and an equal part of the headroom; on
     * one they overflow, the device's memory in proportion to its bytes. The shares of a device sum to at most its memory.
     */
    private static long[] shares(Configuration c, PlacementProblem relaxed, long[] chunkBytes) {
        long[] sums = groupBytes(c, chunkBytes);
        long[] shares = new long[chunkBytes.length];
        for (int s = 0; s < shares.length; s++) {
            long device = relaxed.stages().get(s).capacityBytes();
            long sum = sums[c.groupOf(s)];
            shares[s] = sum <= device ? chunkBytes[s] + (device - sum) / c.virtualStages()
                    : BigInteger.valueOf(device).multiply(BigInteger.valueOf(chunkBytes[s])).divide(BigInteger.valueOf(sum)).longValue();
        }
        return shares;
    }

    private static PlacementProblem withCapacities(PlacementProblem problem, long[] capacities) {
        List<StageSlot> stages = new ArrayList<>();
        for (StageSlot s : problem.stages()) {
            stages.add(new StageSlot(s.index(), s.label(), capacities[s.index()], s.inbound(), s.outbound()));
        }
        return new PlacementProblem(problem.blocks(), problem.links(), stages);
    }
}
