package org.modelpar.executor.model;

import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", 2015) with bias correction,
 * beta1 = 0.9, beta2 = 0.999, eps = 1e-8. State: first and second moments per parameter and the step count.
 */
public final class Adam implements Optimizer {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;
    private final double learningRate;
    private final Map<String, INDArray> state = new TreeMap<>();
    private long steps;

    public Adam(double learningRate) {
        this.learningRate = learningRate;
    }

    @Override
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads) {
        steps++;
        double c1 = 1 - Math.pow(BETA1, steps);
        double c2 = 1 - Math.pow(BETA2, steps);
        params.forEach((name, w) -> {
            INDArray g = grads.get(name);
            INDArray m = state.computeIfAbsent(name + "/m", k -> persistentZerosLike(w));
            INDArray v = state.computeIfAbsent(name + "/v", k -> persistentZerosLike(w));
            m.muli(BETA1).addi(g.mul(1 - BETA1));
            v.muli(BETA2).addi(g.mul(g).muli(1 - BETA2));
            INDArray denom = Transforms.sqrt(v.div(c2), false).addi(EPS);
            w.subi(m.div(c1).divi(denom).muli(learningRate));
        });
    }

    /** Moments outlive the step: never allocate them in a caller's scratch workspace. */
    private static INDArray persistentZerosLike(INDArray w) {
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.zerosLike(w);
        }
    }

    @Override
    public Map<String, INDArray> state() {
        Map<String, INDArray> out = new TreeMap<>(state);
        out.put("adam/steps", Nd4j.scalar((double) steps).reshape(1, 1));
        return out;
    }

    @Override
    public void restore(Map<String, INDArray> saved) {
        state.clear();
        saved.forEach((k, v) -> {
            if (k.equals("adam/steps")) {
                steps = (long) v.getDouble(0);
            } else {
                state.put(k, v.dup());
            }
        });
    }

    @Override
    public long stateBytes(long paramBytes) {
        return 2 * paramBytes;
    }
}
