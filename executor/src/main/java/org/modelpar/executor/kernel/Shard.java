package org.modelpar.executor.kernel;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Which part of a matrix parameter one tensor-parallel rank holds (Megatron-LM, Shoeybi et al. 2019,
 * section 3): dimension {@code axis} is cut into {@code blocks} equal blocks (Q, K and V of a fused projection
 * are three), each block into {@code parts} equal parts, and the rank holds part {@code index} of every block,
 * in block order. {@link #WHOLE} is the whole matrix.
 *
 * @param axis   0 (rows) or 1 (columns)
 * @param blocks equal blocks along the axis, at least 1
 * @param parts  tensor-parallel degree, at least 1
 * @param index  the rank's part, in {@code [0, parts)}
 */
public record Shard(int axis, int blocks, int parts, int index) {
    /** The whole parameter (replicated on every rank). */
    public static final Shard WHOLE = new Shard(0, 1, 1, 0);

    public Shard {
        if (axis < 0 || axis > 1 || blocks < 1 || parts < 1 || index < 0 || index >= parts) {
            throw new IllegalArgumentException("shard needs axis 0 or 1, blocks >= 1 and 0 <= index < parts, got axis "
                    + axis + ", blocks " + blocks + ", part " + index + " of " + parts);
        }
    }

    /** Rank {@code k}'s part of the same split. */
    public Shard withIndex(int k) {
        return new Shard(axis, blocks, parts, k);
    }

    /** Whether this is the whole parameter. */
    public boolean whole() {
        return parts == 1;
    }

    /** The part's shape for a parameter of {@code full} shape. */
    public long[] localShape(long[] full) {
        long[] out = full.clone();
        out[axis] = full[axis] / parts;
        return out;
    }

    /** A copy of this part of {@code full}. */
    public INDArray take(INDArray full) {
        if (whole()) {
            return full;
        }
        List<INDArray> pieces = views(full);
        return pieces.size() == 1 ? pieces.get(0).dup('c') : Nd4j.concat(axis, pieces.toArray(INDArray[]::new)).dup('c');
    }

    /** Writes {@code part} (of {@link #localShape}) into its place in {@code full}. */
    public void place(INDArray full, INDArray part) {
        long step = full.size(axis) / blocks / parts;
        List<INDArray> views = views(full);
        for (int b = 0; b < views.size(); b++) {
            views.get(b).assign(slice(part, b * step, step));
        }
    }

    /** Views of this part's ranges of {@code full}, one per block. */
    private List<INDArray> views(INDArray full) {
        long dim = full.size(axis);
        if (dim % ((long) blocks * parts) != 0) {
            throw new IllegalArgumentException("dimension " + axis + " of size " + dim + " does not split into "
                    + blocks + " blocks of " + parts + " parts");
        }
        long block = dim / blocks;
        long step = block / parts;
        List<INDArray> out = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            out.add(slice(full, b * block + index * step, step));
        }
        return out;
    }

    private INDArray slice(INDArray a, long from, long count) {
        INDArrayIndex range = NDArrayIndex.interval(from, from + count);
        return axis == 0 ? a.get(range, NDArrayIndex.all()) : a.get(NDArrayIndex.all(), range);
    }
}
