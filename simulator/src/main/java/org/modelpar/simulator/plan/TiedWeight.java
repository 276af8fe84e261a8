package org.modelpar.simulator.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;

/**
 * A weight read by ops on several stages: the {@code vocab x hidden} word table of the op that an op with
 * attribute {@code tiedTo} names, when the two sit on different stages (GPT's logits reuse the embedding's
 * table; Megatron-LM's embedding group). Every stage in {@code stages} holds a copy, the others besides the
 * owner as a tied copy (in memory: {@link StageProfile#tiedCopyParameterCount}); their gradients are summed
 * before the optimizer step (the lowering's tied all-reduce).
 *
 * @param op             the op owning the weight
 * @param ownerStage     the stage of that op
 * @param stages         the stages holding a copy, ascending, the owner's included
 * @param parameterCount parameters of the weight
 */
public record TiedWeight(String op, int ownerStage, List<Integer> stages, long parameterCount) {
    public TiedWeight {
        stages = List.copyOf(stages);
    }

    /** The tied weights of a graph placed by a plan (its stages' op lists). */
    public static List<TiedWeight> of(PlacementPlan plan, ComputationGraph graph) {
        Map<String, Integer> stageOf = new HashMap<>();
        plan.stages().forEach(s -> s.ops().forEach(op -> stageOf.put(op, s.index())));
        return of(graph, stageOf);
    }

    /** The tied weights of a graph placed by {@code stageOf} (op id -> stage; empty for one stage: none). */
    static List<TiedWeight> of(ComputationGraph graph, Map<String, Integer> stageOf) {
        Map<String, TreeSet<Integer>> stages = new TreeMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (OpNode op : graph.ops()) {
            String target = op.attributes().get("tiedTo");
            Integer owner = target == null ? null : stageOf.get(target);
            Integer stage = stageOf.get(op.id());
            if (owner == null || stage == null || owner.equals(stage)) {
                continue;
            }
            stages.computeIfAbsent(target, k -> new TreeSet<>(List.of(owner))).add(stage);
            counts.put(target, op.longAttribute("vocab").orElse(0L) * op.longAttribute("hidden").orElse(0L));
        }
        List<TiedWeight> out = new ArrayList<>();
        stages.forEach((target, ss) -> out.add(new TiedWeight(target, stageOf.get(target), new ArrayList<>(ss),
                counts.get(target))));
        return out;
    }

    /** Parameters of this weight's copy that {@code stage} holds besides the owner's (0 for the owner). */
    long copyOn(int stage) {
        return stage != ownerStage && stages.contains(stage) ? parameterCount : 0;
    }
}
