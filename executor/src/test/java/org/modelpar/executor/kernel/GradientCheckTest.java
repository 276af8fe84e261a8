package org.modelpar.executor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.OpNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every kernel's backward against central finite differences, in double precision. */
class GradientCheckTest {
    private static final double EPS = 1e-6;
    private final Random random = new Random(7);

    @Test
    void linear() {
        check(kernel("linear", Map.of("in", "5", "out", "3")), 2, List.of(randn(4, 5)));
    }

    @Test
    void relu() {
        check(kernel("relu", Map.of("width", "6")), 2, List.of(randn(3, 6)));
    }

    @Test
    void gelu() {
        check(kernel("gelu", Map.of("width", "6")), 2, List.of(randn(3, 6)));
    }

    @Test
    void layerNorm() {
        check(kernel("layernorm", Map.of("hidden", "6", "seq", "2")), 2, List.of(randn(4, 6)));
    }

    @Test
    void residualAdd() {
        check(kernel("residual-add", Map.of("hidden", "4", "seq", "2")), 2, List.of(randn(4, 4), randn(4, 4)));
    }

    @Test
    void attentionScores() {
        check(kernel("attention-scores", Map.of("heads", "2", "seq", "3", "headDim", "2")), 2, List.of(randn(6, 12)));
    }

    @Test
    void causalSoftmax() {
        Kernel k = kernel("softmax", Map.of("heads", "2", "seq", "3"));
        INDArray scores = randn(2 * 2 * 3, 3).reshape(2, 2, 3, 3);
        check(k, 2, List.of(scores));
        INDArray probs = k.forward(List.of(scores), Map.of(), 2).output();
        assertThat(probs.getDouble(0, 0, 0, 1)).isZero();
        assertThat(probs.getDouble(1, 1, 0, 0)).isEqualTo(1.0);
        assertThat(probs.sum(3).meanNumber().doubleValue()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void attentionContext() {
        Kernel softmax = kernel("softmax", Map.of("heads", "2", "seq", "3"));
        INDArray probs = softmax.forward(List.of(randn(12, 3).reshape(2, 2, 3, 3)), Map.of(), 2).output();
        check(kernel("attention-context", Map.of("heads", "2", "seq", "3", "headDim", "2")), 2,
                List.of(probs, randn(6, 12)));
    }

    @Test
    void embeddingParameters() {
        INDArray ids = Nd4j.createFromArray(new double[][] {{0, 3, 1}, {2, 2, 4}});
        check(kernel("embedding", Map.of("vocab", "5", "hidden", "4", "seq", "3")), 2, List.of(ids));
    }

    @Test
    void tiedLogits() {
        Kernel k = new OpKernelFixture("logits", "logits", Map.of("hidden", "4", "vocab", "5", "seq", "3", "tiedTo", "embed")).kernel();
        assertThat(k.parameters()).extracting(ParameterSpec::name).containsExactly("embed.word");
        check(k, 2, List.of(randn(6, 4)));
    }

    @Test
    void crossEntropy() {
        INDArray targets = Nd4j.createFromArray(new double[][] {{0, 3, 1}, {2, 2, 4}});
        Kernel k = kernel("cross-entropy", Map.of("vocab", "5", "seq", "3"));
        check(k, 2, List.of(randn(6, 5), targets));
        INDArray uniform = Nd4j.zeros(DataType.DOUBLE, 6, 5);
        double loss = k.forward(List.of(uniform, targets), Map.of(), 2).output().getDouble(0);
        // scale = 1 / (globalBatch 4 x seq 3); 6 tokens of loss ln 5 each
        assertThat(loss).isCloseTo(6 * Math.log(5) / 12, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void mseLoss() {
        Kernel k = kernel("mse-loss", Map.of("width", "3"));
        check(k, 2, List.of(randn(2, 3), randn(2, 3)));
        INDArray y = Nd4j.createFromArray(new double[][] {{1, 2, 3}});
        INDArray t = Nd4j.createFromArray(new double[][] {{1, 0, 0}});
        // (0 + 4 + 9) / (globalBatch 4 x width 3)
        assertThat(k.forward(List.of(y, t), Map.of(), 1).output().getDouble(0)).isEqualTo(13.0 / 12);
    }

    @Test
    void moeRouter() {
        check(kernel("moe-router", Map.of("hidden", "4", "experts", "3", "topK", "2", "seq", "3")), 2, List.of(randn(6, 4)));
    }

    /** Two samples of 4 tokens, 3 experts, top-2, 2 slots per sample: 8 choices for 6 slots, so some tokens are dropped. */
    @Test
    void moeExpert() {
        Kernel k = kernel("moe-expert", Map.of("in", "4", "intermediate", "5", "activation", "gelu", "expert", "1", "experts", "3",
                "topK", "2", "tokens", "2", "seq", "4"));
        check(k, 2, List.of(randn(8, 4), probs(8, 3)));
        assertThat(k.forward(List.of(randn(8, 4), probs(8, 3)), params(k), 2).output().shape()).containsExactly(4, 4);
    }

    @Test
    void moeCombine() {
        check(kernel("moe-combine", Map.of("hidden", "4", "experts", "3", "topK", "2", "seq", "4")), 2,
                List.of(randn(4, 4), randn(4, 4), randn(4, 4), probs(8, 3)));
    }

    /** A shared expert's output (every token's row) is added to the routed experts' combination. */
    @Test
    void moeCombineWithASharedExpert() {
        check(kernel("moe-combine", Map.of("hidden", "4", "experts", "3", "topK", "2", "seq", "4")), 2,
                List.of(randn(4, 4), randn(4, 4), randn(4, 4), randn(8, 4), probs(8, 3)));
    }

    private INDArray probs(int tokens, int experts) {
        return Tensors.softmaxRows(randn(tokens, experts));
    }

    private Kernel kernel(String kind, Map<String, String> attrs) {
        return new OpKernelFixture("op", kind, attrs).kernel();
    }

    private record OpKernelFixture(String id, String kind, Map<String, String> attrs) {
        Kernel kernel() {
            OpNode op = new OpNode(id, id, kind, "", 0, 0, 0, 0, 0, Map.of(), attrs);
            return Kernels.create(op, 4);
        }
    }

    private INDArray randn(long rows, long cols) {
        INDArray a = Nd4j.zeros(DataType.DOUBLE, rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                a.putScalar(i, j, random.nextGaussian());
            }
        }
        return a;
    }

    private Map<String, INDArray> params(Kernel k) {
        Map<String, INDArray> params = new HashMap<>();
        for (ParameterSpec s : k.parameters()) {
            INDArray p = randn(s.shape()[0], s.shape()[1]);
            params.put(s.name(), s.init() == ParameterSpec.Init.ONES ? p.addi(1.0) : p);
        }
        return params;
    }

    private void check(Kernel k, int samples, List<INDArray> inputs) {
        Map<String, INDArray> params = params(k);
        Kernel.Forward f = k.forward(inputs, params, samples);
        INDArray weights = f.output().length() == 1 ? Nd4j.ones(DataType.DOUBLE, 1, 1)
                : randn(f.output().length(), 1).reshape(f.output().shape());
        Kernel.Backward b = k.backward(weights, f.saved(), params);
        List<INDArray> targets = new ArrayList<>();
        List<INDArray> analytic = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            if (b.inputGrads().get(i) != null) {
                targets.add(inputs.get(i));
                analytic.add(b.inputGrads().get(i));
            }
        }
        for (ParameterSpec s : k.parameters()) {
            targets.add(params.get(s.name()));
            analytic.add(b.paramGrads().get(s.name()));
        }
        assertThat(targets).isNotEmpty();
        for (int t = 0; t < targets.size(); t++) {
            INDArray x = targets.get(t);
            INDArray flat = x.reshape(x.length());
            INDArray grad = analytic.get(t).dup('c').reshape(x.length());
            for (long j = 0; j < x.length(); j++) {
                double orig = flat.getDouble(j);
                flat.putScalar(j, orig + EPS);
                double up = objective(k, inputs, params, samples, weights);
                flat.putScalar(j, orig - EPS);
                double down = objective(k, inputs, params, samples, weights);
                flat.putScalar(j, orig);
                double numeric = (up - down) / (2 * EPS);
                assertThat(grad.getDouble(j)).as("gradient %d of argument %d", j, t)
                        .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, Math.abs(numeric))));
            }
        }
    }

    private static double objective(Kernel k, List<INDArray> inputs, Map<String, INDArray> params, int samples, INDArray w) {
        return k.forward(inputs, params, samples).output().mul(w).sumNumber().doubleValue();
    }
}
