package org.modelpar.executor.model;

import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", 2015) with bias correction in the
 * paper's efficient form (end of its section 2: step size {@code lr sqrt(1 - beta2^t) / (1 - beta1^t)},
 * epsilon added to {@code sqrt(v)}), beta1 = 0.9, beta2 = 0.999, eps = 1e-8, by ND4J's fused
 * {@code adam_updater} kernel: one launch per parameter and no temporaries, so the optimizer step needs no
 * memory beyond its state. It overwrites the gradient with the update. State: first and second moments per
 * parameter and the step count, counted per parameter (a device holding several model chunks updates each chunk's
 * parameters in its own call, once per training step).
 */
public final class Adam implements Optimizer {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;
    private final double learningRate;
    private final Map<String, INDArray> state = new TreeMap<>();
    private final Map<String, Long> steps = new TreeMap<>();
    private long restoredSteps;

    public Adam(double learningRate) {
        this.learningRate = learningRate;
    }

    @Override
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads) {
        params.forEach((name, w) -> {
            long t = steps.merge(name, restoredSteps + 1, (a, b) -> a + 1);
            INDArray g = grads.get(name);
            INDArray m = state.computeIfAbsent(name + "/m", k -> persistentZerosLike(w));
            INDArray v = state.computeIfAbsent(name + "/v", k -> persistentZerosLike(w));
            // in place, no temporaries: m and v updated, g overwritten with the update (the caller zeroes it next)
            Nd4j.exec(new AdamUpdater(g, v, m, learningRate, BETA1, BETA2, EPS, (int) (t - 1)));
            w.subi(g);
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
        long done = steps.values().stream().mapToLong(Long::longValue).max().orElse(restoredSteps);
        out.put("adam/steps", Nd4j.scalar((double) done).reshape(1, 1));
        return out;
    }

    @Override
    public void restore(Map<String, INDArray> saved) {
        state.clear();
        steps.clear();
        saved.forEach((k, v) -> {
            if (k.equals("adam/steps")) {
                restoredSteps = (long) v.getDouble(0);
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
