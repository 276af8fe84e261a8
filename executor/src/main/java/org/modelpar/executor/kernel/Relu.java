package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@code y = max(x, 0)}; saves y. */
final class Relu implements Kernel {
    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray y = Transforms.relu(inputs.get(0), true);
        // y > 0 exactly where x > 0: keeping the output instead of the input lets the stash share it with the
        // next op's saved input (one array per layer instead of two)
        return new Forward(y, List.of(y));
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray y = saved.get(0);
        return new Backward(Arrays.asList(g.mul(y.gt(0).castTo(g.dataType()))), Map.of());
    }
}
