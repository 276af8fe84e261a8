package org.modelpar.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComputationGraphTest {
    private static OpNode op(String id) {
        return OpNode.of(id, "linear", "l0", 2.0, 4.0, 16, 8);
    }

    @Test
    void totalsAndTopologicalOrder() {
        ComputationGraph g = ComputationGraph.of("g", 1, List.of(op("c"), op("a"), op("b")),
                List.of(new TensorEdge("t0", "a", "b", 8), new TensorEdge("t1", "b", "c", 8),
                        new TensorEdge("t2", "a", "c", 8)));
        assertThat(g.topologicalOrder()).extracting(OpNode::id).containsExactly("a", "b", "c");
        assertThat(g.parameterBytes()).isEqualTo(48);
        assertThat(g.forwardFlopsPerSample()).isEqualTo(6.0);
        assertThat(g.incoming("c")).extracting(TensorEdge::id).containsExactlyInAnyOrder("t1", "t2");
    }

    @Test
    void parallelTensorsBetweenTheSameOpsStayDistinct() {
        ComputationGraph g = ComputationGraph.of("g", 1, List.of(op("a"), op("b")),
                List.of(new TensorEdge("t0", "a", "b", 8), new TensorEdge("t1", "a", "b", 8)));
        assertThat(g.outgoing("a")).hasSize(2);
    }

    @Test
    void cycleListsItsOps() {
        assertThatThrownBy(() -> ComputationGraph.of("g", 1, List.of(op("a"), op("b"), op("c")),
                List.of(new TensorEdge("t0", "a", "b", 8), new TensorEdge("t1", "b", "c", 8),
                        new TensorEdge("t2", "c", "a", 8))))
                .isInstanceOf(GraphException.class)
                .hasMessage("graph has a cycle through ops a -> b -> c -> a");
    }

    @Test
    void danglingEndpointAndBadNumbersAreNamed() {
        assertThatThrownBy(() -> ComputationGraph.of("g", 1, List.of(op("a")),
                List.of(new TensorEdge("t0", "a", "zz", 8))))
                .hasMessage("tensor 't0' refers to unknown op 'zz'");
        assertThatThrownBy(() -> new OpNode("x", "x", "linear", "", Double.NaN, 0, 0, 0, 0, Map.of(), Map.of()))
                .hasMessage("op 'x': forwardFlops must be finite and non-negative, got NaN");
        assertThatThrownBy(() -> ComputationGraph.of("g", 1, List.of(), List.of()))
                .hasMessage("graph 'g' has no ops");
    }

    @Test
    void withMethodsChangeOneField() {
        OpNode a = op("a").withMeasured("cpu", new MeasuredTime(1.0, 2.0));
        assertThat(a.measuredOn("cpu")).contains(new MeasuredTime(1.0, 2.0));
        OpNode b = a.withMeasured("cpu", new MeasuredTime(3.0, 4.0)).withWorkspaceBytes(64);
        assertThat(b).isEqualTo(new OpNode("a", "a", "linear", "l0", 2.0, 4.0, 16, 8, 64,
                Map.of("cpu", new MeasuredTime(3.0, 4.0)), Map.of()));
        assertThat(op("a").measured()).isEmpty();
    }

    @Test
    void aDerivedGraphKeepsTheModelsProperties() {
        ComputationGraph model = ComputationGraph.of("g", 1, List.of(op("a")), List.of()).withDropout(false);
        ComputationGraph derived = model.derived("g#block0", 4, List.of(op("a"), op("b")),
                List.of(new TensorEdge("t0", "a", "b", 8)));
        assertThat(derived.dropout()).isFalse();
        assertThat(derived.name()).isEqualTo("g#block0");
        assertThat(derived.measuredBatchSize()).isEqualTo(4);
        assertThat(derived.opCount()).isEqualTo(2);
        assertThat(ComputationGraph.of("g", 1, List.of(op("a")), List.of()).derived("h", 1, List.of(op("b")), List.of())
                .dropout()).isTrue();
    }
}
