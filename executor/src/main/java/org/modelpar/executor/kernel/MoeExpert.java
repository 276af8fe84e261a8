package org.modelpar.executor.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One routed expert of a mixture of experts: a GeLU MLP ({@code fc1}, GeLU, {@code fc2}, with biases) run on the
 * tokens {@link Routing} sends it, {@code capacity} slots per sample. Inputs: the tokens' rows {@code [tokens, hidden]},
 * then the router's probabilities (which choose the tokens and carry no gradient here). Output: the expert's
 * slots {@code [samples * capacity, hidden]}, which the combine weights and sums. It saves its inputs (kept anyway by
 * the router) and the slots it ran on, which its backward reads.
 *
 * <p>With expert parallelism ({@link ExpertGroup}) only the expert's holder has its parameters, and a layer's experts
 * run as GShard's dispatch, local experts and combine (Lepikhin et al., ICLR 2021, section 3.2). A member runs its own
 * experts first ({@link ExpertOrder}): the first of them posts the member's slots for every expert it does not hold
 * to their holders, each held expert collects all members' slots (in member order), runs the MLP on them, keeps them
 * for backward and posts each member its outputs; an expert held elsewhere takes its outputs from the holder. So a
 * member runs its experts while its tokens for the others are in flight. Backward runs in reverse: an expert held
 * elsewhere posts its output gradients to the holder and hands on no input gradient, a held expert collects the
 * members' output gradients, computes its weight gradients and posts each member its input gradients, and the
 * member's first held expert (its last backward of the layer) adds in the input gradients of the experts held
 * elsewhere. The exchanges move each member's slots once each way per pass, what the simulator's all-to-alls price;
 * a split backward (ZB-H1) posts the output gradients again for the weight pass.
 */
final class MoeExpert implements Kernel {
    private final String layer;
    private final int expert;
    private final int experts;
    private final int topK;
    private final int capacity;
    private final long seq;
    private final Linear fc1;
    private final Linear fc2;
    private final Gelu gelu = new Gelu();
    private final ExpertGroup group;
    private final int holder;
    private final List<ParameterSpec> params;
    private long forwards;
    private long backwards;
    private long weightPasses;

    MoeExpert(String opId, String layer, int expert, int experts, int topK, int capacity, long seq, long hidden, long intermediate,
              ExpertGroup group) {
        this.layer = layer;
        this.expert = expert;
        this.experts = experts;
        this.topK = topK;
        this.capacity = capacity;
        this.seq = seq;
        this.fc1 = new Linear(opId + ".fc1", hidden, intermediate);
        this.fc2 = new Linear(opId + ".fc2", intermediate, hidden);
        this.group = group;
        this.holder = group.holder(expert, experts);
        List<ParameterSpec> all = new ArrayList<>(fc1.parameters());
        all.addAll(fc2.parameters());
        this.params = holds() ? List.copyOf(all) : List.of();
    }

    private boolean holds() {
        return holder == group.member();
    }

    /** Whether this is the member's first expert of the layer in forward order (its last in backward). */
    private boolean first() {
        return expert == group.firstHeld(experts);
    }

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        long n = forwards++;
        INDArray x = inputs.get(0);
        Routing routing = Routing.of(inputs.get(1), topK, samples, capacity);
        if (first()) {
            for (int k = 0; k < experts; k++) {
                if (group.elsewhere(k, experts)) {
                    group.post(group.holder(k, experts), tag(k, "dispatch", n), routing.dispatch(x, k));
                }
            }
        }
        if (!holds()) {
            return new Forward(group.take(holder, tag(expert, "combine", n)), inputs);
        }
        INDArray slots = stack(group.collect(tag(expert, "dispatch", n), routing.dispatch(x, expert)));
        INDArray act = gelu.forward(List.of(fc1.forward(List.of(slots), p, samples).output()), p, samples).output();
        List<INDArray> out = postOthers(split(fc2.forward(List.of(act), p, samples).output()), "combine", n);
        return new Forward(out.get(group.member()), List.of(x, inputs.get(1), slots));
    }

    @Override
    public boolean splitsBackward() {
        return true;
    }

    /** A member that does not hold the expert posts its holder the output gradients the weight gradients need. */
    @Override
    public boolean runsWeightPass() {
        return true;
    }

    /** The holder's weight pass recomputes {@code fc1} and the GeLU from its parameters. */
    @Override
    public boolean weightPassReadsParameters() {
        return !params.isEmpty();
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return pass(g, saved, p, true, true, backwards++);
    }

    @Override
    public List<INDArray> inputGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return pass(g, saved, p, true, false, backwards++).inputGrads();
    }

    @Override
    public Map<String, INDArray> weightGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return pass(g, saved, p, false, true, weightPasses++).paramGrads();
    }

    /**
     * The backward, or its input- or weight-gradient part (ZB-H1's B and W): the holder collects every member's output
     * gradients ({@code gradient} messages; {@code weight gradient} for a weight pass), recomputes {@code fc1} and the
     * GeLU over the slots it saved and, for the input gradients, posts each member its slots' gradients.
     */
    private Backward pass(INDArray g, List<INDArray> saved, Map<String, INDArray> p, boolean inputs, boolean weights, long n) {
        String gradients = inputs ? "gradient" : "weight gradient";
        if (!holds()) {
            group.post(holder, tag(expert, gradients, n), g);
            return new Backward(Arrays.asList(null, null), Map.of());
        }
        INDArray in = saved.get(2);
        INDArray gradOut = stack(group.collect(tag(expert, gradients, n), g));
        int samples = Math.toIntExact(saved.get(1).rows() / seq);
        INDArray pre = fc1.forward(List.of(in), p, samples).output();
        INDArray act = gelu.forward(List.of(pre), p, samples).output();
        INDArray dPre = gelu.backward(fc2.inputGradients(gradOut, List.of(act), p).get(0), List.of(pre), p).inputGrads().get(0);
        Map<String, INDArray> grads = new HashMap<>();
        if (weights) {
            grads.putAll(fc2.weightGradients(gradOut, List.of(act), p));
            grads.putAll(fc1.weightGradients(dPre, List.of(in), p));
        }
        if (!inputs) {
            return new Backward(Arrays.asList(null, null), grads);
        }
        List<INDArray> dSlots = postOthers(split(fc1.inputGradients(dPre, List.of(in), p).get(0)), "input gradient", n);
        Routing routing = Routing.of(saved.get(1), topK, samples, capacity);
        INDArray dx = routing.undispatch(dSlots.get(group.member()), expert);
        if (first()) {
            for (int k = 0; k < experts; k++) {
                if (group.elsewhere(k, experts)) {
                    dx.addi(routing.undispatch(group.take(group.holder(k, experts), tag(k, "input gradient", n)), k));
                }
            }
        }
        return new Backward(Arrays.asList(dx, null), grads);
    }

    /** Posts member m its {@code parts.get(m)} for every other member; returns the parts. */
    private List<INDArray> postOthers(List<INDArray> parts, String what, long n) {
        for (int m = 0; m < parts.size(); m++) {
            if (m != group.member()) {
                group.post(m, tag(expert, what, n), parts.get(m));
            }
        }
        return parts;
    }

    /** The tag of the n-th exchange of {@code what} for expert {@code k} of this layer: the same on every member. */
    private String tag(int k, String what, long n) {
        return ExpertGroup.TAG_PREFIX + layer + " expert " + k + " " + what + " " + n;
    }

    private static INDArray stack(List<INDArray> parts) {
        return parts.size() == 1 ? parts.get(0) : Nd4j.vstack(parts.toArray(INDArray[]::new));
    }

    /** The members' equal row blocks of {@code rows}, each its own copy. */
    private List<INDArray> split(INDArray rows) {
        int e = group.size();
        long each = rows.rows() / e;
        List<INDArray> out = new ArrayList<>(e);
        for (int m = 0; m < e; m++) {
            out.add(e == 1 ? rows : Tensors.rowsView(rows, m * each, each).dup());
        }
        return out;
    }
}
