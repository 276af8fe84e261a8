package org.modelpar.executor.kernel;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Small ND4J helpers shared by kernels and the runtime. */
public final class Tensors {
    private Tensors() {
    }

    /** Bytes held by an array's values. */
    public static long bytes(INDArray a) {
        return a == null ? 0 : a.length() * a.dataType().width();
    }

    /** The buffer that owns an array's memory: the array's own, or for a view the buffer it looks into. */
    public static DataBuffer root(INDArray a) {
        DataBuffer b = a.data();
        for (DataBuffer o = b.originalDataBuffer(); o != null && o != b; o = b.originalDataBuffer()) {
            b = o;
        }
        return b;
    }

    /** The arrays among {@code candidates} that share no memory with any of {@code live} (nulls in {@code live} ignored). */
    public static List<INDArray> unshared(Collection<INDArray> candidates, Collection<INDArray> live) {
        Set<DataBuffer> held = Collections.newSetFromMap(new IdentityHashMap<>());
        live.forEach(a -> {
            if (a != null) {
                held.add(root(a));
            }
        });
        return candidates.stream().filter(a -> !held.contains(root(a))).toList();
    }

    /** {@code a} in the type of {@code other}: itself, or a copy (input features read by 16-bit kernels). */
    public static INDArray like(INDArray a, INDArray other) {
        return a.dataType() == other.dataType() ? a : a.castTo(other.dataType());
    }

    /** Rows {@code [from, from + count)} along dimension 0, as a view of {@code a}. */
    public static INDArray rowsView(INDArray a, long from, long count) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(from, from + count);
        for (int i = 1; i < idx.length; i++) {
            idx[i] = NDArrayIndex.all();
        }
        return a.get(idx);
    }

    /** A copy of columns {@code [from, from + count)} of a matrix. */
    public static INDArray columns(INDArray a, long from, long count) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + count)).dup('c');
    }

    /** One-hot rows {@code [ids.length, classes]} of the given ids. */
    public static INDArray oneHot(INDArray ids, long classes, DataType type) {
        return oneHot(ids, classes, 0, classes, type);
    }

    /**
     * One-hot rows {@code [ids.length, count]} of the given ids over classes {@code [from, from + count)} of
     * {@code classes}: a row of an id outside that range is zero (a vocabulary-parallel rank's lookup). Built by
     * ND4J's native {@code onehot} op on the ids shifted by {@code from} (its rows of an index outside {@code [0,
     * count)} are zero): four native ops (the ids' least and greatest, the shift, the rows), and no Java array of the
     * rows filled and copied in element by element.
     *
     * @throws IllegalArgumentException when an id lies outside {@code [0, classes)}
     */
    public static INDArray oneHot(INDArray ids, long classes, long from, long count, DataType type) {
        long n = ids.length();
        INDArray flat = ids.reshape(n);
        double least = flat.minNumber().doubleValue();
        double most = flat.maxNumber().doubleValue();
        if (least < 0 || most >= classes) {
            throw new IllegalArgumentException("token id " + (long) (least < 0 ? least : most) + " outside vocabulary of " + classes);
        }
        return Nd4j.exec(new OneHot(flat.sub(from), Math.toIntExact(count), -1, 1.0, 0.0, type))[0];
    }

    /** {@code [n * s, heads * d]} rows to {@code [n, heads, s, d]} (copy). */
    public static INDArray toHeads(INDArray rows, long n, long s, long heads, long d) {
        return rows.dup('c').reshape(n, s, heads, d).permute(0, 2, 1, 3).dup('c');
    }

    /** {@code [n, heads, s, d]} back to rows {@code [n * s, heads * d]} (copy). */
    public static INDArray fromHeads(INDArray x, long n, long s, long heads, long d) {
        return x.permute(0, 2, 1, 3).dup('c').reshape(n * s, heads * d);
    }

    /** Row-wise softmax of a matrix. */
    public static INDArray softmaxRows(INDArray x) {
        INDArray max = x.max(true, 1);
        INDArray e = org.nd4j.linalg.ops.transforms.Transforms.exp(x.subColumnVector(max), false);
        return e.diviColumnVector(e.sum(true, 1));
    }
}
