package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * GeLU, tanh approximation (Hendrycks and Gimpel, "Gaussian Error Linear Units", 2016), as in GPT-2:
 * {@code y = 0.5 x (1 + tanh(c (x + 0.044715 x^3)))}, {@code c = sqrt(2 / pi)}.
 */
final class Gelu implements Kernel {
    private static final double C = Math.sqrt(2.0 / Math.PI);
    private static final double A = 0.044715;

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray x = inputs.get(0);
        INDArray t = tanhInner(x);
        return new Forward(t.addi(1.0).muli(x).muli(0.5), List.of(x));
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray x = saved.get(0);
        INDArray t = tanhInner(x);
        // dy/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)
        INDArray sech2 = t.mul(t).rsubi(1.0);
        INDArray inner = x.mul(x).muli(3 * A).addi(1.0).muli(C);
        INDArray d = sech2.muli(inner).muli(x).muli(0.5).addi(t.addi(1.0).muli(0.5));
        return new Backward(Arrays.asList(d.muli(g)), Map.of());
    }

    private static INDArray tanhInner(INDArray x) {
        INDArray u = x.mul(x).muli(x).muli(A).addi(x).muli(C);
        return Transforms.tanh(u, false);
    }
}
