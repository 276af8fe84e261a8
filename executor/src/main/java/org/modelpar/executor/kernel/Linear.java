package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.ParameterSpec.Init;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code y = x W + b} on rows {@code [tokens, in]}; W is {@code [in, out]}, b is {@code [1, out]}. */
final class Linear implements Kernel {
    private final String weight;
    private final String bias;
    private final List<ParameterSpec> params;

    Linear(String opId, long in, long out) {
        this.weight = opId + ".weight";
        this.bias = opId + ".bias";
        this.params = List.of(new ParameterSpec(weight, new long[] {in, out}, Init.NORMAL, 1.0 / Math.sqrt(in)),
                new ParameterSpec(bias, new long[] {1, out}, Init.ZEROS, 0));
    }

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray x = inputs.get(0);
        return new Forward(x.mmul(p.get(weight)).addiRowVector(p.get(bias)), List.of(x));
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray x = saved.get(0);
        INDArray dx = g.mmul(p.get(weight).transpose());
        INDArray dw = x.transpose().mmul(g);
        INDArray db = g.sum(true, 0);
        return new Backward(Arrays.asList(dx), Map.of(weight, dw, bias, db));
    }
}
