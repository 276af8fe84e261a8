package org.modelpar.executor.kernel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.OpNode;

/**
 * The order in which a member of an expert-parallel group runs a stage's ops: each layer's routed experts (which no
 * edge connects) keep their places in the stage's order, but the member's own experts take the first of them, from its
 * first held expert on ({@code (expert - firstHeld) mod E}). So its forward runs its experts on the slots the others
 * posted before it waits for the outputs of theirs, and its backward (the reverse) posts the output gradients of
 * theirs before it runs its own ({@link MoeExpert}). Without expert parallelism the order is the stage's.
 */
public final class ExpertOrder {
    private ExpertOrder() {
    }

    /** {@code ops} (a stage's, in topological order) with each layer's experts in {@code group}'s member order. */
    public static List<OpNode> heldFirst(List<OpNode> ops, ExpertGroup group) {
        if (group.size() == 1) {
            return ops;
        }
        Map<String, List<Integer>> places = new LinkedHashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            if (Kernels.isExpert(ops.get(i))) {
                places.computeIfAbsent(ops.get(i).layer(), k -> new ArrayList<>()).add(i);
            }
        }
        List<OpNode> out = new ArrayList<>(ops);
        for (List<Integer> layer : places.values()) {
            List<OpNode> sorted = layer.stream().map(ops::get).sorted(Comparator.comparingInt(op -> place(op, group))).toList();
            for (int k = 0; k < layer.size(); k++) {
                out.set(layer.get(k), sorted.get(k));
            }
        }
        return List.copyOf(out);
    }

    /** Where expert {@code op} comes among its layer's on {@code group}'s member: {@code (expert - firstHeld) mod E}. */
    private static int place(OpNode op, ExpertGroup group) {
        int experts = Math.toIntExact(Kernels.attr(op, "experts"));
        return Math.floorMod(Kernels.expertIndex(op) - group.firstHeld(experts), experts);
    }
}
