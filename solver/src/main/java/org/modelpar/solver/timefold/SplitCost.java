package org.modelpar.solver.timefold;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.partition.Ideals;

/**
 * A stage's time per micro-batch when it holds the blocks of one ideal minus another, scored as
 * {@link PlacementConstraints} scores a placement: its blocks' compute and all-reduce share, plus the
 * transfers of every output entering it (once per output, on its inbound link) and of every output leaving
 * it (once to each later stage reading it, on its outbound link, as the simulator's lowering sends it:
 * {@code SentBytes}), in nanoseconds; infinity when its blocks' memory exceeds the stage's capacity.
 *
 * <p>The sends depend on how the later stages split the readers, so {@link #of} charges each output leaving
 * the stage once (Tarnawski et al.'s out(S), NeurIPS 2020, section 3: a lower bound that depends on the
 * stage alone) and {@link #bottleneck} charges it per receiving stage; {@link IdealPartitioner} uses the
 * first for its program and bounds, the second to score placements.
 *
 * <p>Compute and memory are summed per ideal once (from the ideal it was reached from), so a stage's are
 * two differences; transfers scan the outputs open at the two ideals (produced inside, read outside),
 * which {@link Frontier} lists once for every problem of a search.
 */
public final class SplitCost implements IdealPartitioner.Cost {
    private final PlacementProblem problem;
    private final Ideals ideals;
    private final Frontier frontier;
    private final long[][] nanos;
    private final long[][] memory;
    /** Per ideal, its blocks' compute and all-reduce share each on its cheapest stage. */
    private final long[] cheapest;
    private final long[] capacity;
    private final long[] linkBytes;
    private final BlockLink.Output[] outputs;
    /**
     * On a chain's prefixes ({@link #lowerBound}): per stage, what a stage starting at block i receives for block i
     * alone ({@code entering[s][i]}) and what one ending at block j - 1 sends of block j - 1's outputs
     * ({@code leaving[s][j]}); empty arrays on other ideals.
     */
    private final long[][] entering;
    private final long[][] leaving;
    /**
     * Per stage and ideal, for each output open there ({@code frontier.open}): its send on the stage's outbound link
     * to the blocks outside the ideal, once ({@link #of}'s charge for a stage ending at that ideal); stages on equal
     * links share it. Made when {@link #of} first asks (a bound may rule the whole problem out before).
     */
    private final long[][][] sentOnce;
    /** Per stage, the first stage on an equal outbound link (whose {@link #sentOnce} it shares). */
    private final int[] sameOutbound;
    private final Receipts receipts;

    public SplitCost(PlacementProblem problem, Ideals ideals) {
        this(problem, ideals, Frontier.of(problem.links(), ideals));
    }

    /** @param frontier made from links that join the same blocks as {@code problem}'s, in the same order */
    public SplitCost(PlacementProblem problem, Ideals ideals, Frontier frontier) {
        this.problem = problem;
        this.ideals = ideals;
        this.frontier = frontier;
        int k = problem.stages().size();
        int count = ideals.count();
        nanos = new long[k][count];
        memory = new long[k][count];
        cheapest = new long[count];
        for (int i = 1; i < count; i++) {
            Block block = problem.blocks().get(ideals.added(i));
            long least = Long.MAX_VALUE;
            for (int s = 0; s < k; s++) {
                nanos[s][i] = nanos[s][ideals.parent(i)] + block.stageNanos(s);
                memory[s][i] = memory[s][ideals.parent(i)] + block.memoryBytes()[s];
                least = Math.min(least, block.stageNanos(s));
            }
            cheapest[i] = cheapest[ideals.parent(i)] + least;
        }
        capacity = problem.stages().stream().mapToLong(StageSlot::capacityBytes).toArray();
        linkBytes = problem.links().stream().mapToLong(BlockLink::bytes).toArray();
        outputs = new BlockLink.Output[frontier.linksOf.length];
        for (int o = 0; o < outputs.length; o++) {
            outputs[o] = problem.links().get(frontier.linksOf[o][0]).output();
        }
        receipts = new Receipts(ideals, frontier, outputs, linkBytes,
                problem.stages().stream().map(StageSlot::inbound).toList());
        sentOnce = new long[k][][];
        sameOutbound = Receipts.firstEqual(problem.stages().stream().map(StageSlot::outbound).toList());
        boolean prefixes = count == ideals.blocks() + 1;
        entering = new long[prefixes ? k : 0][];
        leaving = new long[prefixes ? k : 0][];
        // stages on equal links share their rows
        Map<SlotLink, long[]> enteringOn = new HashMap<>();
        Map<SlotLink, long[]> leavingOn = new HashMap<>();
        for (int s = 0; s < entering.length; s++) {
            int stage = s;
            entering[s] = enteringOn.computeIfAbsent(problem.stages().get(s).inbound(), l -> {
                long[] row = new long[count];
                Arrays.setAll(row, i -> i + 1 < count ? receipts.scan(problem.stages().get(stage).inbound(), i, i + 1) : 0);
                return row;
            });
            leaving[s] = leavingOn.computeIfAbsent(problem.stages().get(s).outbound(), l -> {
                long[] row = new long[count];
                Arrays.setAll(row, j -> j > 0 ? sentNanos(stage, new int[] {j - 1, j}, 1, 0) : 0);
                return row;
            });
        }
    }

    /**
     * The stage's compute and all-reduce share (infinity when over memory); on a chain's prefixes also what its
     * first block receives and what its last block sends, a part of {@link #of}'s transfers, since an output's
     * sent bytes only grow with the links that cross ({@link BlockLink.Output#sent}).
     */
    @Override
    public double lowerBound(int stage, int inner, int outer) {
        double compute = computeNanos(stage, inner, outer);
        return entering.length == 0 ? compute : compute + entering[stage][inner] + leaving[stage][outer];
    }

    /** The mean of the stages: their blocks' compute and all-reduce share, each block on its cheapest stage. */
    @Override
    public double spreadBound(int inner, int outer, int stages) {
        return (double) (cheapest[outer] - cheapest[inner]) / stages;
    }

    /**
     * A lower bound of the slowest stage of any placement into {@code stages} stages, without placing: their mean.
     * The stages hold every block (each at its cheapest stage's time), and on a chain's prefixes each of the
     * {@code stages - 1} boundaries, at distinct blocks c, adds what the stage after it receives for block c and
     * what the stage before it sends of block c - 1's outputs (each at its cheapest stage's links), so at least
     * the {@code stages - 1} smallest of those boundary transfers.
     */
    public double leastBottleneck(int stages) {
        int n = ideals.blocks();
        double compute = cheapest[ideals.full()];
        if (entering.length == 0 || stages < 2) {
            return compute / stages;
        }
        long[] boundary = new long[n - 1];
        for (int c = 1; c < n; c++) {
            long in = Long.MAX_VALUE;
            long out = Long.MAX_VALUE;
            for (int s = 0; s < entering.length; s++) {
                in = Math.min(in, entering[s][c]);
                out = Math.min(out, leaving[s][c]);
            }
            boundary[c - 1] = in + out;
        }
        Arrays.sort(boundary);
        double transfers = 0;
        for (int c = 0; c < stages - 1 && c < boundary.length; c++) {
            transfers += boundary[c];
        }
        return (compute + transfers) / stages;
    }

    /**
     * On a chain's prefixes, the first inner prefix whose stage's compute (or memory) is below {@code bar}: a stage
     * with more blocks computes no less, so every earlier one has a {@link #lowerBound} of at least {@code bar}
     * (binary search); 0 on other ideals.
     */
    @Override
    public int firstInner(int stage, int outer, double bar) {
        if (entering.length == 0) {
            return 0;
        }
        int low = 0;
        int high = outer;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (computeNanos(stage, mid, outer) < bar) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    /** The stage's compute and all-reduce share (infinity when over memory): its time without transfers. */
    private double computeNanos(int stage, int inner, int outer) {
        if (memory[stage][outer] - memory[stage][inner] > capacity[stage]) {
            return Double.POSITIVE_INFINITY;
        }
        return nanos[stage][outer] - nanos[stage][inner];
    }

    @Override
    public double of(int stage, int inner, int outer) {
        double total = computeNanos(stage, inner, outer);
        if (total == Double.POSITIVE_INFINITY) {
            return total;
        }
        long sent = 0;
        int[] open = frontier.open[outer];
        int shared = sameOutbound[stage];
        if (sentOnce[shared] == null) {
            sentOnce[shared] = sentOnce(problem.stages().get(shared).outbound());
        }
        long[] once = sentOnce[shared][outer];
        for (int x = 0; x < open.length; x++) {
            if (!ideals.contains(inner, frontier.from[open[x]])) {
                sent += once[x];
            }
        }
        return total + receivedNanos(stage, inner, outer) + sent;
    }

    /** Per ideal, each open output's send on {@code outbound} to the blocks outside the ideal, once (0 for no bytes). */
    private long[][] sentOnce(SlotLink outbound) {
        long[][] once = new long[ideals.count()][];
        for (int i = 0; i < once.length; i++) {
            int[] open = frontier.open[i];
            once[i] = new long[open.length];
            for (int x = 0; x < open.length; x++) {
                long bytes = 0;
                for (int l : frontier.linksOf[open[x]]) {
                    bytes += ideals.contains(i, frontier.to[l]) ? 0 : linkBytes[l];
                }
                once[i][x] = bytes > 0 ? outbound.roundTripNanos(outputs[open[x]].sent(bytes)) : 0;
            }
        }
        return once;
    }

    /**
     * The slowest of the first {@code fixed} stages, each sending an output once to every later placed
     * stage that reads it and once more when blocks not placed yet read it (exact for {@code fixed = k}).
     */
    @Override
    public double bottleneck(int[] chain, int fixed) {
        double worst = 0;
        for (int t = 0; t < fixed; t++) {
            worst = Math.max(worst, stageNanos(chain, fixed, t));
        }
        return worst;
    }

    /**
     * Stage t's time when the first {@code fixed} stages hold {@code chain[s+1] \ chain[s]}: compute, what
     * it receives, and each output it makes sent once to every later placed stage reading it and once more
     * when blocks not placed yet read it (exact for {@code fixed = k}); infinity over memory.
     */
    public double stageNanos(int[] chain, int fixed, int t) {
        double total = computeNanos(t, chain[t], chain[t + 1]);
        if (total == Double.POSITIVE_INFINITY) {
            return total;
        }
        return total + receivedNanos(t, chain[t], chain[t + 1]) + sentNanos(t, chain, fixed, t);
    }

    /** Every output the stage reads from earlier stages, received once on its inbound link. */
    private long receivedNanos(int stage, int inner, int outer) {
        return receipts.nanos(stage, inner, outer);
    }

    /**
     * The sends on the outbound link of {@code stage}, which holds {@code chain[t+1] \ chain[t]}: each output
     * it makes, once to each of the placed stages {@code t+1..fixed-1} reading it and once to the blocks
     * outside {@code chain[fixed]} reading it.
     */
    private long sentNanos(int stage, int[] chain, int fixed, int t) {
        SlotLink outbound = problem.stages().get(stage).outbound();
        int inner = chain[t];
        int outer = chain[t + 1];
        long[] bytesTo = new long[fixed + 1];
        long total = 0;
        for (int o : frontier.open[outer]) {
            if (ideals.contains(inner, frontier.from[o])) {
                continue;
            }
            Arrays.fill(bytesTo, 0);
            for (int l : frontier.linksOf[o]) {
                int to = frontier.to[l];
                if (ideals.contains(outer, to)) {
                    continue;
                }
                int u = t + 1;
                while (u < fixed && !ideals.contains(chain[u + 1], to)) {
                    u++;
                }
                bytesTo[u] += linkBytes[l];
            }
            for (int u = t + 1; u <= fixed; u++) {
                if (bytesTo[u] > 0) {
                    total += outbound.roundTripNanos(outputs[o].sent(bytesTo[u]));
                }
            }
        }
        return total;
    }
}
