package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax over the last dimension of {@code [n, heads, s, s]} scores after the causal mask (position i
 * attends to positions 0..i only): masked scores get -1e9, so their probability is exactly 0.
 */
final class CausalSoftmax implements Kernel {
    private static final double MASKED = -1e9;
    private final long heads;
    private final long seq;
    private INDArray mask;

    CausalSoftmax(long heads, long seq) {
        this.heads = heads;
        this.seq = seq;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray scores = inputs.get(0);
        long rows = (long) samples * heads * seq;
        INDArray x = scores.dup('c').reshape(rows, seq);
        x.addi(mask(x, rows));
        INDArray probs = Tensors.softmaxRows(x).reshape(samples, heads, seq, seq);
        return new Forward(probs, List.of(probs));
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray probs = saved.get(0);
        long rows = probs.length() / seq;
        INDArray p2 = probs.reshape(rows, seq);
        INDArray g2 = g.dup('c').reshape(rows, seq);
        INDArray dot = g2.mul(p2).sum(true, 1);
        INDArray dx = g2.subiColumnVector(dot).muli(p2);
        return new Backward(Arrays.asList(dx.reshape(probs.shape())), Map.of());
    }

    /** The additive mask for {@code rows} score rows (cached: same for every micro-batch of a size). */
    private synchronized INDArray mask(INDArray like, long rows) {
        if (mask == null || mask.size(0) != rows || mask.dataType() != like.dataType()) {
            double[] values = new double[Math.toIntExact(rows * seq)];
            for (long r = 0; r < rows; r++) {
                long i = r % seq;
                for (long j = i + 1; j < seq; j++) {
                    values[(int) (r * seq + j)] = MASKED;
                }
            }
            // cached across instructions: never in the caller's scratch workspace
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                mask = Nd4j.create(values, new long[] {rows, seq}, DataType.DOUBLE).castTo(like.dataType());
            }
        }
        return mask;
    }
}
