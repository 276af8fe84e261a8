package org.modelpar.solver.timefold;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.modelpar.solver.partition.Ideals;

class ReceiptsTest {
    @Test
    void stagesOnEqualLinksShareTheirRows() {
        SlotLink a = new SlotLink(1, 1e9);
        assertThat(Receipts.firstEqual(List.of(a, new SlotLink(2, 1e9), new SlotLink(1, 1e9), a))).containsExactly(0, 1, 0, 0);
    }

    @Test
    void aPrefixRowEqualsTheScanOfEveryPair() {
        Random random = new Random(42);
        for (int n : new int[] {2, 17, 90}) {
            PlacementProblem problem = TimefoldPlacerTest.randomDag(random, n, 2, new SlotLink(5_000, 1e10));
            Ideals prefixes = Ideals.prefixes(n);
            Frontier frontier = Frontier.of(problem.links(), prefixes);
            BlockLink.Output[] outputs = new BlockLink.Output[frontier.linksOf.length];
            for (int o = 0; o < outputs.length; o++) {
                outputs[o] = problem.links().get(frontier.linksOf[o][0]).output();
            }
            long[] bytes = problem.links().stream().mapToLong(BlockLink::bytes).toArray();
            List<SlotLink> inbound = List.of(new SlotLink(1_000, 3e9), new SlotLink(7, 1e11), new SlotLink(1_000, 3e9));
            Receipts receipts = new Receipts(prefixes, frontier, outputs, bytes, inbound);
            long nonZero = 0;
            for (int inner = 0; inner <= n; inner++) {
                for (int outer = inner + 1; outer <= n; outer++) {
                    for (int stage = 0; stage < inbound.size(); stage++) {
                        long scanned = receipts.scan(inbound.get(stage), inner, outer);
                        assertThat(receipts.nanos(stage, inner, outer)).as("n=%d stage %d [%d, %d)", n, stage, inner, outer)
                                .isEqualTo(scanned);
                        nonZero += scanned > 0 ? 1 : 0;
                    }
                }
            }
            assertThat(nonZero).as("n=%d: some stage receives", n).isPositive();
        }
    }
}
