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
 * slots {@code [samples * capacity, hidden]}, which the combine weights and sums.
 *
 * <p>With expert parallelism ({@link ExpertGroup}) only the expert's holder has its parameters: every member sends
 * it its slots, the holder runs the MLP on all members' slots (in member order) and sends each its outputs back; in
 * backward the output gradients go to the holder and the input gradients back. The kernel keeps nothing of its own
 * for backward (its inputs are the norm's and the router's outputs, which are kept anyway, and its output is the
 * combine's input): the backward dispatches the tokens again (every member sending its slots to the holder with its
 * output gradients) and recomputes {@code fc1} and the GeLU, so a device holds what the graph counts for the op.
 */
final class MoeExpert implements Kernel {
    private final int expert;
    private final int topK;
    private final int capacity;
    private final long seq;
    private final Linear fc1;
    private final Linear fc2;
    private final Gelu gelu = new Gelu();
    private final ExpertGroup group;
    private final int holder;
    private final List<ParameterSpec> params;

    MoeExpert(String opId, int expert, int experts, int topK, int capacity, long seq, long hidden, long intermediate,
              ExpertGroup group) {
        this.expert = expert;
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

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray mine = Routing.of(inputs.get(1), topK, samples, capacity).dispatch(inputs.get(0), expert);
        List<INDArray> slots = group.gather(holder, mine);
        if (!holds()) {
            return new Forward(group.scatter(holder, List.of()), inputs);
        }
        INDArray act = gelu.forward(List.of(fc1.forward(List.of(stack(slots)), p, samples).output()), p, samples).output();
        return new Forward(group.scatter(holder, split(fc2.forward(List.of(act), p, samples).output())), inputs);
    }

    @Override
    public boolean splitsBackward() {
        return true;
    }

    /** A member that does not hold the expert sends its holder what the holder's weight gradients need. */
    @Override
    public boolean runsWeightPass() {
        return true;
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return pass(g, saved, p, true, true);
    }

    @Override
    public List<INDArray> inputGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return pass(g, saved, p, true, false).inputGrads();
    }

    @Override
    public Map<String, INDArray> weightGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return pass(g, saved, p, false, true).paramGrads();
    }

    /**
     * The backward, or its input- or weight-gradient part (ZB-H1's B and W): every member sends the holder its slots
     * again beside their output gradients ({@code [slots | gradient]} per row); the holder recomputes {@code fc1} and the
     * GeLU over all of them and, for the input gradients, sends each member its slots' gradients back.
     */
    private Backward pass(INDArray g, List<INDArray> saved, Map<String, INDArray> p, boolean inputs, boolean weights) {
        INDArray probs = saved.get(1);
        int samples = Math.toIntExact(probs.rows() / seq);
        Routing routing = Routing.of(probs, topK, samples, capacity);
        INDArray mine = routing.dispatch(saved.get(0), expert);
        List<INDArray> received = group.gather(holder, group.size() == 1 ? mine : Nd4j.hstack(mine, g));
        if (!holds()) {
            INDArray dx = inputs ? routing.undispatch(group.scatter(holder, List.of()), expert) : null;
            return new Backward(Arrays.asList(dx, null), Map.of());
        }
        long hidden = mine.columns();
        INDArray both = stack(received);
        INDArray in = group.size() == 1 ? mine : Tensors.columns(both, 0, hidden);
        INDArray gradOut = group.size() == 1 ? g : Tensors.columns(both, hidden, hidden);
        INDArray pre = fc1.forward(List.of(in), p, samples).output();
        INDArray act = gelu.forward(List.of(pre), p, samples).output();
        INDArray dPre = gelu.backward(fc2.inputGradients(gradOut, List.of(act), p).get(0), List.of(pre), p).inputGrads().get(0);
        Map<String, INDArray> grads = new HashMap<>();
        if (weights) {
            grads.putAll(fc2.weightGradients(gradOut, List.of(act), p));
            grads.putAll(fc1.weightGradients(dPre, List.of(in), p));
        }
        INDArray dx = inputs ? routing.undispatch(group.scatter(holder, split(fc1.inputGradients(dPre, List.of(in), p).get(0))), expert)
                : null;
        return new Backward(Arrays.asList(dx, null), grads);
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
