package org.modelpar.solver.timefold;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.solver.partition.Ideals;

/**
 * The outputs open at each ideal (produced inside it, read outside). It depends only on which blocks the
 * links join, the same for every configuration of a search, so one instance serves all their problems.
 */
public final class Frontier {
    final int[] from;
    final int[][] linksOf;
    final int[] to;
    final int[][] open;

    private Frontier(List<BlockLink> links, Ideals ideals) {
        Map<BlockLink.Output, List<Integer>> byOutput = new LinkedHashMap<>();
        for (int l = 0; l < links.size(); l++) {
            byOutput.computeIfAbsent(links.get(l).output(), o -> new ArrayList<>()).add(l);
        }
        linksOf = byOutput.values().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        from = new int[linksOf.length];
        for (int o = 0; o < linksOf.length; o++) {
            from[o] = links.get(linksOf[o][0]).from();
        }
        to = links.stream().mapToInt(BlockLink::to).toArray();
        open = new int[ideals.count()][];
        int[] scratch = new int[linksOf.length];
        for (int i = 0; i < open.length; i++) {
            int n = 0;
            for (int o = 0; o < linksOf.length; o++) {
                if (ideals.contains(i, from[o]) && readOutside(ideals, i, o)) {
                    scratch[n++] = o;
                }
            }
            open[i] = Arrays.copyOf(scratch, n);
        }
    }

    /** The frontier of {@code links} (grouped by their output) over {@code ideals}. */
    public static Frontier of(List<BlockLink> links, Ideals ideals) {
        return new Frontier(links, ideals);
    }

    private boolean readOutside(Ideals ideals, int ideal, int output) {
        for (int l : linksOf[output]) {
            if (!ideals.contains(ideal, to[l])) {
                return true;
            }
        }
        return false;
    }
}
