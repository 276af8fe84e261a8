package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.executor.kernel.Source;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.TensorSplit;

/**
 * A stage's recompute segments in one {@link Recompute} mode, as the simulator's memory model draws them
 * ({@link TensorSplit}). Full: each transformer layer is a segment, and in a graph without attention the whole
 * stage is one; selective: each transformer layer's attention core (none in a graph without attention); none: no
 * segment. Ops outside every segment always keep what they save. Recomputation stashes only each segment's
 * checkpoint (the values entering it from the stage's other ops or from the previous stage) and rebuilds one
 * segment at a time in backward, as Megatron-LM's uniform activation checkpointing does (Korthikanti et al.,
 * "Reducing Activation Recomputation in Large Transformer Models", 2022, section 5; Chen et al., "Training Deep
 * Nets with Sublinear Memory Cost", 2016).
 */
final class Segments {
    private final int[] segmentOf;
    private final List<List<Integer>> members = new ArrayList<>();
    private final Set<String> checkpointed = new LinkedHashSet<>();

    /**
     * @param ops     the stage's ops in execution order
     * @param sources each op's inputs by op id
     */
    Segments(TensorSplit split, Recompute mode, List<OpNode> ops, Map<String, List<Source>> sources) {
        segmentOf = new int[ops.size()];
        Map<String, Integer> byLayer = new LinkedHashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            OpNode op = ops.get(i);
            boolean segmented = switch (mode) {
                case NONE -> false;
                case SELECTIVE -> split.attentionCore(op);
                case FULL -> !split.transformer() || split.inTransformerLayer(op);
            };
            if (!segmented) {
                segmentOf[i] = -1;
                continue;
            }
            String layer = split.transformer() ? op.layer() : "";
            int s = byLayer.computeIfAbsent(layer, k -> {
                members.add(new ArrayList<>());
                return members.size() - 1;
            });
            segmentOf[i] = s;
            members.get(s).add(i);
        }
        for (int i = 0; i < ops.size(); i++) {
            if (segmentOf[i] < 0) {
                continue;
            }
            Set<String> inside = new LinkedHashSet<>();
            members.get(segmentOf[i]).forEach(j -> inside.add(ops.get(j).id()));
            for (Source src : sources.get(ops.get(i).id())) {
                if (src.kind() == Source.Kind.OP && !inside.contains(src.producerId())) {
                    checkpointed.add(src.producerId());
                }
            }
        }
    }

    /** Whether backward rebuilds op {@code index} (it is in a segment) instead of reading what it saved from the stash. */
    boolean rebuilt(int index) {
        return segmentOf[index] >= 0;
    }

    /** Indices of the ops of op {@code index}'s segment, in execution order (op {@code index} in a segment). */
    List<Integer> segmentOf(int index) {
        return List.copyOf(members.get(segmentOf[index]));
    }

    /** Every segment's op indices, in execution order. */
    List<List<Integer>> all() {
        return members.stream().map(List::copyOf).toList();
    }

    /** Whether op {@code index} is the first of its segment (its backward ends the segment's). */
    boolean opensSegment(int index) {
        return segmentOf[index] >= 0 && members.get(segmentOf[index]).get(0) == index;
    }

    /** Whether a segment reads the value of {@code producerId} from outside it (a checkpoint). */
    boolean checkpointed(String producerId) {
        return checkpointed.contains(producerId);
    }
}
