package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.ParameterSpec.Init;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Layer normalisation over the last dimension (Ba, Kiros and Hinton, 2016), eps = 1e-5. With sequence parallelism
 * each rank normalises its part of the sequence, and the gradients of gamma and beta are sums over its rows only: the
 * device sums them over the group once per step, before the optimizer step, as Megatron-LM all-reduces the
 * sequence-parallel layer norms' gradients ({@link TensorParallel#sumsGradientsAtStepEnd}).
 */
final class LayerNorm implements SplitBackward {
    private static final double EPS = 1e-5;
    private final String gamma;
    private final String beta;
    private final List<ParameterSpec> params;

    LayerNorm(String opId, long hidden) {
        this.gamma = opId + ".gamma";
        this.beta = opId + ".beta";
        this.params = List.of(new ParameterSpec(gamma, new long[] {1, hidden}, Init.ONES, 0),
                new ParameterSpec(beta, new long[] {1, hidden}, Init.ZEROS, 0));
    }

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    /** Saves its input with each row's mean and 1/std (as PyTorch's and Apex's fused layer norms do), not x-hat. */
    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray x = inputs.get(0);
        INDArray mean = x.mean(true, 1);
        INDArray xc = x.subColumnVector(mean);
        INDArray var = xc.mul(xc).mean(true, 1);
        INDArray rstd = Transforms.pow(var.addi(EPS), -0.5, false);
        INDArray y = xc.muliColumnVector(rstd).mulRowVector(p.get(gamma)).addiRowVector(p.get(beta));
        return new Forward(y, List.of(x, mean, rstd));
    }

    /** Both parts from one x-hat, rebuilt once. */
    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray xhat = xhat(saved);
        return new Backward(inputGradients(g, xhat, saved.get(2), p), weightGradients(g, xhat));
    }

    @Override
    public List<INDArray> inputGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return inputGradients(g, xhat(saved), saved.get(2), p);
    }

    private List<INDArray> inputGradients(INDArray g, INDArray xhat, INDArray rstd, Map<String, INDArray> p) {
        INDArray dxhat = g.mulRowVector(p.get(gamma));
        INDArray meanD = dxhat.mean(true, 1);
        INDArray meanDx = dxhat.mul(xhat).mean(true, 1);
        return Arrays.asList(dxhat.subColumnVector(meanD).subi(xhat.mulColumnVector(meanDx)).muliColumnVector(rstd));
    }

    /** {@code dgamma = sum of dY x-hat's rows}, {@code dbeta = sum of dY's rows}. */
    @Override
    public Map<String, INDArray> weightGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return weightGradients(g, xhat(saved));
    }

    private Map<String, INDArray> weightGradients(INDArray g, INDArray xhat) {
        return Map.of(gamma, g.mul(xhat).sum(true, 0), beta, g.sum(true, 0));
    }

    /** x-hat rebuilt from the saved input, mean and 1/std. */
    private static INDArray xhat(List<INDArray> saved) {
        return saved.get(0).subColumnVector(saved.get(1)).muliColumnVector(saved.get(2));
    }
}
