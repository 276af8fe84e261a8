package org.modelpar.executor.train;

import java.util.Random;
import org.modelpar.executor.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Regression onto a fixed random teacher network {@code y = tanh(x W1) W2} (the student-teacher setup):
 * inputs are standard normal, the teacher's weights are drawn once from the seed.
 */
public final class TeacherTask implements SyntheticTask {
    private final int inWidth;
    private final int outWidth;
    private final long seed;
    private final INDArray w1;
    private final INDArray w2;

    public TeacherTask(int inWidth, int outWidth, long seed) {
        this.inWidth = inWidth;
        this.outWidth = outWidth;
        this.seed = seed;
        Random r = new Random(seed ^ 0x7EAC4E5L);
        this.w1 = normal(r, inWidth, inWidth, 1.0 / Math.sqrt(inWidth));
        this.w2 = normal(r, inWidth, outWidth, 1.0 / Math.sqrt(inWidth));
    }

    @Override
    public Batch batch(int step, int globalBatchSize) {
        Random r = new Random(seed * 1_000_003L + step);
        INDArray x = normal(r, globalBatchSize, inWidth, 1.0);
        INDArray y = Transforms.tanh(x.mmul(w1), false).mmul(w2);
        return new Batch(x.castTo(DataType.FLOAT), y.castTo(DataType.FLOAT));
    }

    @Override
    public String describe() {
        return "teacher network regression " + inWidth + " -> " + outWidth;
    }

    private static INDArray normal(Random r, int rows, int cols, double std) {
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * std;
        }
        return Nd4j.create(v, new long[] {rows, cols}, DataType.DOUBLE);
    }
}
