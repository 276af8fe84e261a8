package org.modelpar.executor.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One routed expert of a mixture of experts: a GeLU MLP ({@code fc1}, GeLU, {@code fc2}, with biases) run on the
 * tokens {@link Routing} sends it, {@code capacity} slots per sample. Inputs: the tokens' rows {@code [tokens, hidden]},
 * then the router's probabilities (which choose the tokens and carry no gradient here). Output: the expert's
 * slots {@code [samples * capacity, hidden]}, which the combine weights and sums. It keeps nothing of its own for
 * backward (its inputs are the norm's and the router's outputs, which are kept anyway, and its output is the combine's
 * input): the backward dispatches the tokens again and recomputes {@code fc1} and the GeLU, so a device holds what the
 * graph counts for the op, its output.
 */
final class MoeExpert implements Kernel {
    private final int expert;
    private final int topK;
    private final int capacity;
    private final long seq;
    private final Linear fc1;
    private final Linear fc2;
    private final Gelu gelu = new Gelu();
    private final List<ParameterSpec> params;

    MoeExpert(String opId, int expert, int topK, int capacity, long seq, long hidden, long intermediate) {
        this.expert = expert;
        this.seq = seq;
        this.topK = topK;
        this.capacity = capacity;
        this.fc1 = new Linear(opId + ".fc1", hidden, intermediate);
        this.fc2 = new Linear(opId + ".fc2", intermediate, hidden);
        List<ParameterSpec> all = new ArrayList<>(fc1.parameters());
        all.addAll(fc2.parameters());
        this.params = List.copyOf(all);
    }

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray slots = Routing.of(inputs.get(1), topK, samples, capacity).dispatch(inputs.get(0), expert);
        INDArray act = gelu.forward(List.of(fc1.forward(List.of(slots), p, samples).output()), p, samples).output();
        return new Forward(fc2.forward(List.of(act), p, samples).output(), inputs);
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray probs = saved.get(1);
        int samples = Math.toIntExact(probs.rows() / seq);
        Routing routing = Routing.of(probs, topK, samples, capacity);
        INDArray slots = routing.dispatch(saved.get(0), expert);
        INDArray pre = fc1.forward(List.of(slots), p, samples).output();
        INDArray act = gelu.forward(List.of(pre), p, samples).output();
        Backward down = fc2.backward(g, List.of(act), p);
        INDArray dPre = gelu.backward(down.inputGrads().get(0), List.of(pre), p).inputGrads().get(0);
        Backward up = fc1.backward(dPre, List.of(slots), p);
        INDArray dx = routing.undispatch(up.inputGrads().get(0), expert);
        Map<String, INDArray> grads = new HashMap<>(down.paramGrads());
        grads.putAll(up.paramGrads());
        return new Backward(Arrays.asList(dx, null), grads);
    }
}
