package org.modelpar.simulator.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/**
 * A validated plan resolved against its graph: one {@link StageProfile} per stage. Built by
 * {@link PlanValidator#validate}; the cost model, the memory model and the lowering read it.
 *
 * <p>Tensor-parallel all-reduces (Shoeybi et al., "Megatron-LM", 2019, section 3): a layer tag holding
 * an attention op ({@code attention-*} kind) is a transformer layer with 2 all-reduces of the layer's
 * output (the activation bytes of its last op) per forward pass; any other layer tag holding parameters
 * has 1 (a column- then row-parallel pair). Backward passes have the same all-reduces.
 *
 * @param plan   the plan
 * @param graph  its graph
 * @param stages      one profile per stage, in order
 * @param tiedWeights the weights that ops on several stages share
 */
public record PlanLayout(PlacementPlan plan, ComputationGraph graph, List<StageProfile> stages,
                         List<TiedWeight> tiedWeights) {
    public PlanLayout {
        stages = List.copyOf(stages);
        tiedWeights = List.copyOf(tiedWeights);
    }

    static PlanLayout of(PlacementPlan plan, ComputationGraph graph, Map<String, Integer> stageOf) {
        int p = plan.pipelineStages();
        List<List<OpNode>> ops = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            ops.add(new ArrayList<>());
        }
        if (p == 1) {
            ops.get(0).addAll(graph.topologicalOrder());
        } else {
            graph.topologicalOrder().forEach(op -> ops.get(stageOf.get(op.id())).add(op));
        }
        List<Map<Integer, Long>> in = new ArrayList<>();
        List<Map<Integer, Long>> out = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            in.add(new HashMap<>());
            out.add(new HashMap<>());
        }
        for (TensorEdge t : p == 1 ? List.<TensorEdge>of() : graph.tensors()) {
            int from = stageOf.get(t.from());
            int to = stageOf.get(t.to());
            if (from != to) {
                in.get(to).merge(from, t.bytes(), Math::addExact);
                out.get(from).merge(to, t.bytes(), Math::addExact);
            }
        }
        List<TiedWeight> tied = TiedWeight.of(graph, stageOf);
        TensorSplit split = TensorSplit.of(graph);
        ActivationRules rules = new ActivationRules(graph, split, plan.precision());
        List<StageProfile> profiles = new ArrayList<>(p);
        for (int i = 0; i < p; i++) {
            int stage = i;
            List<OpNode> stageOps = ops.get(i);
            long params = stageOps.stream().mapToLong(OpNode::parameterBytes).reduce(0, Math::addExact);
            long act = stageOps.stream().mapToLong(OpNode::activationBytes).reduce(0, Math::addExact);
            long input = in.get(i).values().stream().mapToLong(Long::longValue).sum();
            long modelInputs = modelInputBytes(graph, stageOps);
            List<Long> allReduces = allReduces(split, stageOps, false);
            profiles.add(new StageProfile(i, stageOps, params, act, StageWorkspace.of(graph, stageOps), input, new TreeMap<>(in.get(i)),
                    new TreeMap<>(out.get(i)), allReduces, modelInputs,
                    tied.stream().mapToLong(w -> w.copyOn(stage)).sum(),
                    rules.of(stageOps, input, modelInputs, allReduces(split, stageOps, true), allReduces),
                    stageOps.stream().filter(split::replicatedWork).map(OpNode::id).collect(Collectors.toSet())));
        }
        return new PlanLayout(plan, graph, profiles, tied);
    }

    /** Input features or token ids that the stage's source ops stash (see {@link StageProfile}). */
    private static long modelInputBytes(ComputationGraph graph, List<OpNode> ops) {
        Set<String> consumers = new HashSet<>();
        graph.tensors().forEach(t -> consumers.add(t.to()));
        long bytes = 0;
        for (OpNode op : ops) {
            if (consumers.contains(op.id())) {
                continue;
            }
            if (op.kind().equals("linear")) {
                bytes += 4 * op.longAttribute("in").orElse(0L) * op.longAttribute("tokens").orElse(1L);
            } else if (op.kind().equals("embedding")) {
                bytes += 4 * op.longAttribute("seq").orElse(0L);
            }
        }
        return bytes;
    }

    /** The all-reduces of one forward pass, of every layer or ({@code transformerOnly}) of transformer layers. */
    private static List<Long> allReduces(TensorSplit split, List<OpNode> ops, boolean transformerOnly) {
        Map<String, List<OpNode>> byLayer = new LinkedHashMap<>();
        ops.forEach(op -> byLayer.computeIfAbsent(op.layer().isEmpty() ? op.id() : op.layer(), k -> new ArrayList<>()).add(op));
        List<Long> sizes = new ArrayList<>();
        for (List<OpNode> layer : byLayer.values()) {
            boolean transformer = split.inTransformerLayer(layer.get(0));
            if (transformerOnly && !transformer) {
                continue;
            }
            boolean parameters = layer.stream().anyMatch(op -> op.parameterBytes() > 0);
            long output = layer.get(layer.size() - 1).activationBytes();
            int count = transformer ? 2 : parameters ? 1 : 0;
            for (int k = 0; k < count; k++) {
                sizes.add(output);
            }
        }
        return sizes;
    }

    public StageProfile stage(int index) {
        return stages.get(index);
    }

    /**
     * Parameters of the stage's own ops that one device holds: Megatron-LM splits every weight over the t
     * ranks of a tensor group, a rank holding {@code ceil(count / t)} (Shoeybi et al., 2019, section 3).
     * What its data-parallel all-reduce sums.
     */
    public long parameterShare(int stage) {
        return perRank(stage(stage).parameterCount());
    }

    /** Parameters one device of the stage holds and updates: its own share and that of a tied copy. */
    public long heldParameterShare(int stage) {
        return perRank(Math.addExact(stage(stage).parameterCount(), stage(stage).tiedCopyParameterCount()));
    }

    /** Parameters of a tied weight that one rank of each holding stage sums in the tied all-reduce. */
    public long parameterShare(TiedWeight weight) {
        return perRank(weight.parameterCount());
    }

    private long perRank(long parameters) {
        return -Math.floorDiv(-parameters, (long) plan.tensorParallel());
    }

    /** Samples one data-parallel replica of the stage processes per micro-batch. */
    public int samplesPerReplica(int stage) {
        return plan.microBatchSize() / plan.dataParallel(stage);
    }
}
