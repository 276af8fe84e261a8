package org.modelpar.solver.timefold;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.partition.Ideals;

/**
 * A stage's time per micro-batch when it holds the blocks of one ideal minus another, scored as
 * {@link PlacementConstraints} scores a placement: its blocks' compute and all-reduce share, plus the
 * transfers of every output entering it (once per output, on its inbound link) and of every output leaving
 * it (once per output, on its outbound link), in nanoseconds; infinity when its blocks' memory exceeds the
 * stage's capacity. These are Tarnawski et al.'s in(S) and out(S) (NeurIPS 2020, section 3), which depend
 * on the stage alone, so the dynamic program over ideals is exact for them; the simulator sends an output
 * once to each stage reading it, so its sender pays more when one output feeds several later stages.
 *
 * <p>Compute and memory are summed per ideal once (from the ideal it was reached from), so a stage's are
 * two differences; transfers scan the outputs open at the two ideals (produced inside, read outside).
 */
public final class SplitCost implements IdealPartitioner.Cost {
    private final PlacementProblem problem;
    private final Ideals ideals;
    private final long[][] nanos;
    private final long[][] memory;
    private final List<List<BlockLink>> outputs;
    private final int[][] open;

    public SplitCost(PlacementProblem problem, Ideals ideals) {
        this.problem = problem;
        this.ideals = ideals;
        int k = problem.stages().size();
        int count = ideals.count();
        nanos = new long[k][count];
        memory = new long[k][count];
        for (int i = 1; i < count; i++) {
            Block block = problem.blocks().get(ideals.added(i));
            for (int s = 0; s < k; s++) {
                nanos[s][i] = nanos[s][ideals.parent(i)] + block.stageNanos(s);
                memory[s][i] = memory[s][ideals.parent(i)] + block.memoryBytes()[s];
            }
        }
        Map<BlockLink.Output, List<BlockLink>> byOutput = new LinkedHashMap<>();
        problem.links().forEach(l -> byOutput.computeIfAbsent(l.output(), o -> new ArrayList<>()).add(l));
        outputs = List.copyOf(byOutput.values());
        open = new int[count][];
        for (int i = 0; i < count; i++) {
            List<Integer> openHere = new ArrayList<>();
            for (int o = 0; o < outputs.size(); o++) {
                if (open(i, outputs.get(o))) {
                    openHere.add(o);
                }
            }
            open[i] = openHere.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Whether the output is produced inside the ideal and read outside it. */
    private boolean open(int ideal, List<BlockLink> links) {
        return ideals.contains(ideal, links.get(0).from()) && links.stream().anyMatch(l -> !ideals.contains(ideal, l.to()));
    }

    /** The stage's compute and all-reduce share (infinity when over memory): its time without transfers. */
    @Override
    public double lowerBound(int stage, int inner, int outer) {
        if (memory[stage][outer] - memory[stage][inner] > problem.stages().get(stage).capacityBytes()) {
            return Double.POSITIVE_INFINITY;
        }
        return nanos[stage][outer] - nanos[stage][inner];
    }

    @Override
    public double of(int stage, int inner, int outer) {
        StageSlot slot = problem.stages().get(stage);
        if (memory[stage][outer] - memory[stage][inner] > slot.capacityBytes()) {
            return Double.POSITIVE_INFINITY;
        }
        long total = nanos[stage][outer] - nanos[stage][inner];
        for (int o : open[inner]) {
            long bytes = 0;
            for (BlockLink l : outputs.get(o)) {
                if (ideals.contains(outer, l.to()) && !ideals.contains(inner, l.to())) {
                    bytes += l.bytes();
                }
            }
            total += slot.inbound().roundTripNanos(outputs.get(o).get(0).output().sent(bytes));
        }
        for (int o : open[outer]) {
            List<BlockLink> links = outputs.get(o);
            if (ideals.contains(inner, links.get(0).from())) {
                continue;
            }
            long bytes = 0;
            for (BlockLink l : links) {
                if (!ideals.contains(outer, l.to())) {
                    bytes += l.bytes();
                }
            }
            total += slot.outbound().roundTripNanos(links.get(0).output().sent(bytes));
        }
        return total;
    }
}
