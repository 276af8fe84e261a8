package org.modelpar.simulator.program;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.PlanLayout;

/**
 * A weight read by ops on several stages: the {@code vocab x hidden} word table of the op that an op
 * with attribute {@code tiedTo} names, when the two sit on different stages (GPT's logits reuse the
 * embedding's table). Each of those stages keeps a copy and their gradients are summed before the
 * optimizer step.
 *
 * @param op             the op owning the weight
 * @param stages         the stages holding a copy, ascending
 * @param parameterCount parameters of the weight
 */
record TiedWeight(String op, List<Integer> stages, long parameterCount) {
    TiedWeight {
        stages = List.copyOf(stages);
    }

    /** The tied weights of a plan, by owning op id. */
    static List<TiedWeight> of(PlanLayout layout) {
        Map<String, Integer> stageOf = new HashMap<>();
        for (int s = 0; s < layout.stages().size(); s++) {
            for (OpNode op : layout.stage(s).ops()) {
                stageOf.put(op.id(), s);
            }
        }
        Map<String, TreeSet<Integer>> stages = new TreeMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (OpNode op : layout.graph().ops()) {
            String target = op.attributes().get("tiedTo");
            Integer owner = target == null ? null : stageOf.get(target);
            if (owner == null || owner.equals(stageOf.get(op.id()))) {
                continue;
            }
            stages.computeIfAbsent(target, k -> new TreeSet<>(List.of(owner))).add(stageOf.get(op.id()));
            counts.put(target, op.longAttribute("vocab").orElse(0L) * op.longAttribute("hidden").orElse(0L));
        }
        List<TiedWeight> out = new ArrayList<>();
        stages.forEach((target, ss) -> out.add(new TiedWeight(target, new ArrayList<>(ss), counts.get(target))));
        return out;
    }
}
