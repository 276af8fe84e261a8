package org.modelpar.executor.kernel;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An {@link ExpertGroup} whose device exchanges with nobody: of size 1 it holds every expert, above that it only
 * describes which experts its member holds ({@link ExpertGroup#shapeOnly}) and its exchanges throw.
 */
class SolitaryGroup implements ExpertGroup {
    private final int size;
    private final int member;

    SolitaryGroup(int size, int member) {
        this.size = size;
        this.member = member;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int member() {
        return member;
    }

    @Override
    public void post(int to, String tag, INDArray part) {
        throw shapesOnly();
    }

    @Override
    public INDArray take(int from, String tag) {
        throw shapesOnly();
    }

    @Override
    public List<INDArray> collect(String tag, INDArray own) {
        if (size > 1) {
            throw shapesOnly();
        }
        return List.of(own);
    }

    private UnsupportedOperationException shapesOnly() {
        return new UnsupportedOperationException("expert member " + member + " of " + size + " describes shapes only");
    }
}
