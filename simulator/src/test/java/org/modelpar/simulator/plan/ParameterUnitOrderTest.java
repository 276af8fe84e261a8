package org.modelpar.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.OpNode;

/** A pass runs unit by unit only where each unit's ops are consecutive; the first op that breaks its unit is named. */
class ParameterUnitOrderTest {
    private static OpNode op(String id, String layer) {
        return new OpNode(id, id, "linear", layer, 0, 0, 0, 0, 0, Map.of(), Map.of());
    }

    @Test
    void theFirstOpAwayFromItsUnitsOthers() {
        OpNode a = op("a", "l0");
        OpNode b = op("b", "l0");
        OpNode c = op("c", "l1");
        OpNode d = op("d", "");
        OpNode e = op("e", "l0");
        assertThat(ParameterUnit.outOfOrder(List.of(a, b, c, d))).isEmpty();
        assertThat(ParameterUnit.outOfOrder(List.of(a, c, b, d))).contains(b);
        assertThat(ParameterUnit.outOfOrder(List.of(a, b, d, c, e))).as("an untagged op is a unit alone").contains(e);
        assertThat(ParameterUnit.outOfOrder(List.of(d, a, op("d2", ""), b))).contains(b);
    }
}
