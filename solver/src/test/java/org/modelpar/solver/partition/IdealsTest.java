package org.modelpar.solver.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdealsTest {
    @Test
    void chainHasItsPrefixes() {
        Ideals ideals = Ideals.of(5, chain(5), 100).orElseThrow();
        assertThat(ideals.count()).isEqualTo(6);
        for (int i = 0; i <= 5; i++) {
            for (int b = 0; b < 5; b++) {
                assertThat(ideals.contains(i, b)).isEqualTo(b < i);
            }
        }
        // nested pairs of a chain: every i < j
        assertThat(ideals.pairs()).isEqualTo(15);
    }

    @Test
    void diamondHasSixIdeals() {
        // a=0 -> b=1, a -> c=2, b -> d=3, c -> d: {}, {a}, {a,b}, {a,c}, {a,b,c}, {a,b,c,d}
        Ideals ideals = Ideals.of(4, List.of(e(0, 1), e(0, 2), e(1, 3), e(2, 3)), 100).orElseThrow();
        assertThat(ideals.count()).isEqualTo(6);
        assertThat(ideals.full()).isEqualTo(5);
        assertThat(ideals.subsetsOf(ideals.full())).containsExactly(0, 1, 2, 3, 4);
        // {a,b} and {a,c} are not nested
        assertThat(ideals.subsetsOf(3)).containsExactly(0, 1);
    }

    @Test
    void parallelChainsMultiply() {
        // source 0, branches 1-2-3 and 4-5, sink 6: 1 + (3 + 1) x (2 + 1) + 1 ideals
        List<int[]> edges = List.of(e(0, 1), e(1, 2), e(2, 3), e(0, 4), e(4, 5), e(3, 6), e(5, 6));
        assertThat(Ideals.of(7, edges, 1000).orElseThrow().count()).isEqualTo(1 + 4 * 3 + 1);
    }

    @Test
    void independentBlocksGiveThePowerSet() {
        assertThat(Ideals.of(10, List.of(), 2000).orElseThrow().count()).isEqualTo(1024);
    }

    @Test
    void boundRefusesLargeCounts() {
        assertThat(Ideals.of(10, List.of(), 1023)).isEmpty();
        assertThat(Ideals.of(10, List.of(), 1024)).isPresent();
    }

    @Test
    void everyIdealIsDownwardClosedAndItsParentPlusOneBlock() {
        List<int[]> edges = List.of(e(0, 2), e(1, 2), e(2, 4), e(3, 4), e(1, 3));
        Ideals ideals = Ideals.of(5, edges, 100).orElseThrow();
        for (int i = 1; i < ideals.count(); i++) {
            for (int[] edge : edges) {
                if (ideals.contains(i, edge[1])) {
                    assertThat(ideals.contains(i, edge[0])).isTrue();
                }
            }
            int parent = ideals.parent(i);
            for (int b = 0; b < 5; b++) {
                assertThat(ideals.contains(i, b)).isEqualTo(ideals.contains(parent, b) || b == ideals.added(i));
            }
        }
    }

    @Test
    void backwardEdgeIsRejected() {
        assertThatThrownBy(() -> Ideals.of(3, List.of(e(2, 1)), 10))
                .hasMessageContaining("edge 2 -> 1 must go forward");
    }

    static int[] e(int from, int to) {
        return new int[] {from, to};
    }

    static List<int[]> chain(int n) {
        List<int[]> edges = new ArrayList<>();
        for (int b = 0; b + 1 < n; b++) {
            edges.add(e(b, b + 1));
        }
        return edges;
    }
}
