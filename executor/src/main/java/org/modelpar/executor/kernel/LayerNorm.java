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

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray x = inputs.get(0);
        INDArray xc = x.subColumnVector(x.mean(true, 1));
        INDArray var = xc.mul(xc).mean(true, 1);
        INDArray rstd = Transforms.pow(var.addi(EPS), -0.5, false);
        INDArray xhat = xc.muliColumnVector(rstd);
        INDArray y = xhat.mulRowVector(p.get(gamma)).addiRowVector(p.get(beta));
        return new Forward(y, List.of(xhat, rstd));
    }

    @Override
    public List<INDArray> inputGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray xhat = saved.get(0);
        INDArray rstd = saved.get(1);
        INDArray dxhat = g.mulRowVector(p.get(gamma));
        INDArray meanD = dxhat.mean(true, 1);
        INDArray meanDx = dxhat.mul(xhat).mean(true, 1);
        return Arrays.asList(dxhat.subColumnVector(meanD).subi(xhat.mulColumnVector(meanDx)).muliColumnVector(rstd));
    }

    /** {@code dgamma = sum of dY x-hat's rows}, {@code dbeta = sum of dY's rows}. */
    @Override
    public Map<String, INDArray> weightGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray dGamma = g.mul(saved.get(0)).sum(true, 0);
        INDArray dBeta = g.sum(true, 0);
        return Map.of(gamma, dGamma, beta, dBeta);
    }
}
