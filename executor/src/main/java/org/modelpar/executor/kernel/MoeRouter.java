package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.ParameterSpec.Init;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The router of a mixture of experts (Shazeer et al., "Outrageously Large Neural Networks", ICLR 2017): gate
 * weights W {@code [hidden, experts]} without bias, {@code P = softmax(x W)} per token, output {@code [tokens, experts]}.
 * Its consumers choose the top-k experts from P ({@link Routing}); only the combine's weighting by P carries a gradient.
 */
final class MoeRouter implements SplitBackward {
    private final String weight;
    private final List<ParameterSpec> params;

    MoeRouter(String opId, long hidden, long experts) {
        this.weight = opId + ".weight";
        this.params = List.of(new ParameterSpec(weight, new long[] {hidden, experts}, Init.NORMAL, 1.0 / Math.sqrt(hidden)));
    }

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray x = Tensors.like(inputs.get(0), p.get(weight));
        INDArray probs = Tensors.softmaxRows(x.mmul(p.get(weight)));
        return new Forward(probs, List.of(x, probs));
    }

    /** {@code dX = dL W^T} with the softmax's {@code dL = P * (dP - rowsum(dP * P))}. */
    @Override
    public List<INDArray> inputGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return Arrays.asList(logitGradient(g, saved.get(1)).mmul(p.get(weight).transpose()));
    }

    /** {@code dW = X^T dL}. */
    @Override
    public Map<String, INDArray> weightGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return Map.of(weight, saved.get(0).transpose().mmul(logitGradient(g, saved.get(1))));
    }

    private static INDArray logitGradient(INDArray g, INDArray probs) {
        INDArray dot = g.mul(probs).sum(true, 1);
        return g.subColumnVector(dot).muli(probs);
    }
}
