package org.modelpar.solver.timefold;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.solver.partition.Ideals;

/**
 * What a stage holding ideal {@code outer} minus ideal {@code inner} receives on its inbound link: each output
 * open at {@code inner} (made inside it, read outside) once, its links into the stage as
 * {@link BlockLink.Output#sent} of their bytes ({@link SplitCost}'s receive).
 *
 * <p>On a chain's prefixes (prefix j holds blocks {@code [0, j)}) a row per inbound link and {@code inner}, for every
 * outer prefix at once, made when first asked by one sweep over the open outputs' links in the order of their
 * reading blocks: as the outer prefix grows past block b, each output b reads changes its received bytes and so its
 * transfer. O(links + blocks) per row, where a scan of the open outputs' links takes O(links) per pair. Not
 * thread-safe.
 */
final class Receipts {
    private final Ideals ideals;
    private final Frontier frontier;
    private final BlockLink.Output[] outputs;
    private final long[] linkBytes;
    private final boolean prefixes;
    private final List<SlotLink> inbound;
    /** Per stage, the first stage on an equal inbound link, whose rows it shares. */
    private final int[] sameInbound;
    /** On prefixes, per stage (the first of equal links) and inner prefix, the row made when first asked. */
    private final long[][][] rows;

    /**
     * @param outputs   per output of {@code frontier}, the output
     * @param linkBytes per link, its bytes per micro-batch
     * @param inbound   per stage, its inbound link
     */
    Receipts(Ideals ideals, Frontier frontier, BlockLink.Output[] outputs, long[] linkBytes, List<SlotLink> inbound) {
        this.ideals = ideals;
        this.frontier = frontier;
        this.outputs = outputs;
        this.linkBytes = linkBytes;
        this.prefixes = ideals.count() == ideals.blocks() + 1;
        this.inbound = List.copyOf(inbound);
        this.sameInbound = firstEqual(inbound);
        this.rows = new long[inbound.size()][][];
    }

    /** Per position, the first position holding an equal link. */
    static int[] firstEqual(List<SlotLink> links) {
        Map<SlotLink, Integer> first = new HashMap<>();
        int[] same = new int[links.size()];
        for (int s = 0; s < same.length; s++) {
            Integer earlier = first.putIfAbsent(links.get(s), s);
            same[s] = earlier == null ? s : earlier;
        }
        return same;
    }

    /** What stage {@code stage} holding {@code outer} minus {@code inner} receives on its inbound link, in nanoseconds. */
    long nanos(int stage, int inner, int outer) {
        if (!prefixes) {
            return scan(inbound.get(stage), inner, outer);
        }
        int shared = sameInbound[stage];
        if (rows[shared] == null) {
            rows[shared] = new long[ideals.count()][];
        }
        if (rows[shared][inner] == null) {
            rows[shared][inner] = sweep(inbound.get(shared), inner);
        }
        return rows[shared][inner][outer];
    }

    /** {@link #nanos} by a scan of the outputs open at {@code inner} and their links. */
    long scan(SlotLink inbound, int inner, int outer) {
        long total = 0;
        for (int o : frontier.open[inner]) {
            long bytes = 0;
            for (int l : frontier.linksOf[o]) {
                int to = frontier.to[l];
                if (ideals.contains(outer, to) && !ideals.contains(inner, to)) {
                    bytes += linkBytes[l];
                }
            }
            total += inbound.roundTripNanos(outputs[o].sent(bytes));
        }
        return total;
    }

    private long[] sweep(SlotLink inbound, int inner) {
        int count = ideals.count();
        int[] open = frontier.open[inner];
        // the open outputs' links by reading block (a counting sort): position in open and link
        int[] start = new int[count + 1];
        for (int o : open) {
            for (int l : frontier.linksOf[o]) {
                start[frontier.to[l] + 1]++;
            }
        }
        for (int b = 0; b < count; b++) {
            start[b + 1] += start[b];
        }
        int[] fill = start.clone();
        int[] openAt = new int[start[count]];
        int[] linkAt = new int[start[count]];
        long total = 0;
        for (int x = 0; x < open.length; x++) {
            total += inbound.roundTripNanos(outputs[open[x]].sent(0));
            for (int l : frontier.linksOf[open[x]]) {
                int at = fill[frontier.to[l]]++;
                openAt[at] = x;
                linkAt[at] = l;
            }
        }
        long[] bytes = new long[open.length];
        long[] row = new long[count];
        for (int outer = inner + 1; outer < count; outer++) {
            int joining = outer - 1;
            for (int at = start[joining]; at < start[joining + 1]; at++) {
                BlockLink.Output output = outputs[open[openAt[at]]];
                total -= inbound.roundTripNanos(output.sent(bytes[openAt[at]]));
                bytes[openAt[at]] += linkBytes[linkAt[at]];
                total += inbound.roundTripNanos(output.sent(bytes[openAt[at]]));
            }
            row[outer] = total;
        }
        return row;
    }
}
