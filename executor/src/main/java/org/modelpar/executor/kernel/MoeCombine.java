package org.modelpar.executor.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The combine of a mixture of experts: each token's output is the sum over the experts that took it of the
 * router's probability times that expert's output, {@code y_t = sum_j P[t, j] E_j(x_t)} (Fedus et al., "Switch
 * Transformers", JMLR 2022, equation 2, for k experts per token as in Lepikhin et al., "GShard", 2021), plus the
 * outputs of the shared experts, which see every token (DeepSeek-AI, "DeepSeekMoE", 2024, equation 9). Inputs: the
 * routed experts' outputs {@code [samples * capacity, hidden]} in expert order, the shared experts' {@code [tokens,
 * hidden]}, then the router's probabilities.
 */
final class MoeCombine implements Kernel {
    private final int experts;
    private final int topK;
    private final long seq;

    MoeCombine(int experts, int topK, long seq) {
        this.experts = experts;
        this.topK = topK;
        this.seq = seq;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray probs = inputs.get(inputs.size() - 1);
        Routing r = routing(inputs);
        INDArray out = null;
        for (int j = 0; j < experts; j++) {
            INDArray term = r.undispatch(inputs.get(j), j).muliColumnVector(probs.getColumn(j, true));
            out = out == null ? term : out.addi(term);
        }
        for (int i = experts; i < inputs.size() - 1; i++) {
            out.addi(inputs.get(i));
        }
        return new Forward(out, inputs);
    }

    /**
     * {@code dE_j = P[t, j] dy_t} on expert j's slots; {@code dP[t, j] = dy_t . E_j(x_t)} where expert j took token t;
     * a shared expert's gradient is {@code dy} itself.
     */
    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray probs = saved.get(saved.size() - 1);
        Routing r = routing(saved);
        List<INDArray> grads = new ArrayList<>();
        INDArray dProbs = probs.ulike();
        for (int j = 0; j < experts; j++) {
            INDArray pj = probs.getColumn(j, true);
            grads.add(r.dispatch(g.mulColumnVector(pj), j));
            dProbs.putColumn(j, g.mul(r.undispatch(saved.get(j), j)).sum(true, 1));
        }
        for (int i = experts; i < saved.size() - 1; i++) {
            grads.add(g);
        }
        grads.add(dProbs);
        return new Backward(grads, Map.of());
    }

    private Routing routing(List<INDArray> inputs) {
        INDArray probs = inputs.get(inputs.size() - 1);
        int samples = Math.toIntExact(probs.rows() / seq);
        return Routing.of(probs, topK, samples, Math.toIntExact(inputs.get(0).rows() / samples));
    }
}
