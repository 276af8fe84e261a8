package org.modelpar.simulator.plan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.modelpar.graph.OpNode;

/**
 * A unit whose parameters ZeRO stage 3 gathers, uses and frees together, as PyTorch FSDP does per wrapped module
 * (Zhao et al., "PyTorch FSDP: experiences on scaling fully sharded data parallel", VLDB 2023, section 3.2): the
 * ops of one layer of the graph (its {@link OpNode#layer()} tag; an untagged op is a unit alone), in the order of
 * the layers' first ops on the stage. A tied copy's word table goes with the last unit, whose logits read it.
 *
 * @param ops               the unit's ops, in stage order
 * @param parametersPerRank parameters one tensor rank holds unsharded ({@link PlanLayout#parametersPerRank} of the
 *                          unit's), plus {@code ceil(tied / t)} of a tied copy on the last unit
 */
public record ParameterUnit(List<OpNode> ops, long parametersPerRank) {
    public ParameterUnit {
        ops = List.copyOf(ops);
        if (ops.isEmpty() || parametersPerRank < 0) {
            throw new IllegalArgumentException("a parameter unit needs ops and parameters >= 0, got " + ops.size()
                    + " ops and " + parametersPerRank + " parameters");
        }
    }

    /** The units of {@code stage}, in order. */
    public static List<ParameterUnit> of(PlanLayout layout, int stage) {
        StageProfile sp = layout.stage(stage);
        List<List<OpNode>> layers = layers(sp.ops());
        long t = layout.plan().tensorParallel();
        List<ParameterUnit> units = new ArrayList<>(layers.size());
        int k = 0;
        for (List<OpNode> ops : layers) {
            long parameters = ops.stream().mapToLong(op -> op.parameterBytes() / 4).reduce(0, Math::addExact);
            long perRank = layout.parametersPerRank(ops, parameters);
            if (++k == layers.size()) {
                perRank = Math.addExact(perRank, -Math.floorDiv(-sp.tiedCopyParameterCount(), t));
            }
            units.add(new ParameterUnit(ops, perRank));
        }
        return units;
    }

    /**
     * The first op of {@code ops} (a stage's, in stage order) that does not follow the ops of its unit ({@link #layers})
     * at once, if any: a pass can run unit by unit only where every unit's ops are consecutive.
     */
    public static Optional<OpNode> outOfOrder(List<OpNode> ops) {
        Set<String> done = new HashSet<>();
        String current = null;
        for (OpNode op : ops) {
            String unit = unitOf(op);
            if (!unit.equals(current)) {
                if (!done.add(unit)) {
                    return Optional.of(op);
                }
                current = unit;
            }
        }
        return Optional.empty();
    }

    private static String unitOf(OpNode op) {
        return op.layer().isEmpty() ? "op " + op.id() : op.layer();
    }

    /**
     * The ops of a stage ({@code ops}, in stage order) grouped into units: one list per layer tag, an untagged op
     * alone, in the order of each unit's first op.
     */
    public static List<List<OpNode>> layers(List<OpNode> ops) {
        Map<String, List<OpNode>> layers = new LinkedHashMap<>();
        for (OpNode op : ops) {
            layers.computeIfAbsent(unitOf(op), k -> new ArrayList<>()).add(op);
        }
        return List.copyOf(layers.values());
    }
}
