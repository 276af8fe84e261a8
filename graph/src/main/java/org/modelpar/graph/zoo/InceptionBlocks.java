package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.Cnns.basic;

import java.util.List;
import org.modelpar.graph.zoo.CnnBuilder.T;

/** The five Inception-v3 modules (torchvision's InceptionA to InceptionE), each ending in a concat. */
final class InceptionBlocks {
    private InceptionBlocks() {
    }

    static T a(CnnBuilder b, String m, T x, long poolFeatures) {
        T b1 = basic(b, m + ".branch1x1", m, x, 64, 1, 1, 1, 0, 0);
        T b5 = basic(b, m + ".branch5x5_1", m, x, 48, 1, 1, 1, 0, 0);
        b5 = basic(b, m + ".branch5x5_2", m, b5, 64, 5, 5, 1, 2, 2);
        T b3 = basic(b, m + ".branch3x3dbl_1", m, x, 64, 1, 1, 1, 0, 0);
        b3 = basic(b, m + ".branch3x3dbl_2", m, b3, 96, 3, 3, 1, 1, 1);
        b3 = basic(b, m + ".branch3x3dbl_3", m, b3, 96, 3, 3, 1, 1, 1);
        T bp = b.pool(m + ".avgpool", "avgpool", m, x, 3, 1, 1);
        bp = basic(b, m + ".branch_pool", m, bp, poolFeatures, 1, 1, 1, 0, 0);
        return b.concat(m + ".concat", m, List.of(b1, b5, b3, bp));
    }

    static T b(CnnBuilder b, String m, T x) {
        T b3 = basic(b, m + ".branch3x3", m, x, 384, 3, 3, 2, 0, 0);
        T bd = basic(b, m + ".branch3x3dbl_1", m, x, 64, 1, 1, 1, 0, 0);
        bd = basic(b, m + ".branch3x3dbl_2", m, bd, 96, 3, 3, 1, 1, 1);
        bd = basic(b, m + ".branch3x3dbl_3", m, bd, 96, 3, 3, 2, 0, 0);
        T bp = b.pool(m + ".maxpool", "maxpool", m, x, 3, 2, 0);
        return b.concat(m + ".concat", m, List.of(b3, bd, bp));
    }

    static T c(CnnBuilder b, String m, T x, long c7) {
        T b1 = basic(b, m + ".branch1x1", m, x, 192, 1, 1, 1, 0, 0);
        T b7 = basic(b, m + ".branch7x7_1", m, x, c7, 1, 1, 1, 0, 0);
        b7 = basic(b, m + ".branch7x7_2", m, b7, c7, 1, 7, 1, 0, 3);
        b7 = basic(b, m + ".branch7x7_3", m, b7, 192, 7, 1, 1, 3, 0);
        T bd = basic(b, m + ".branch7x7dbl_1", m, x, c7, 1, 1, 1, 0, 0);
        bd = basic(b, m + ".branch7x7dbl_2", m, bd, c7, 7, 1, 1, 3, 0);
        bd = basic(b, m + ".branch7x7dbl_3", m, bd, c7, 1, 7, 1, 0, 3);
        bd = basic(b, m + ".branch7x7dbl_4", m, bd, c7, 7, 1, 1, 3, 0);
        bd = basic(b, m + ".branch7x7dbl_5", m, bd, 192, 1, 7, 1, 0, 3);
        T bp = b.pool(m + ".avgpool", "avgpool", m, x, 3, 1, 1);
        bp = basic(b, m + ".branch_pool", m, bp, 192, 1, 1, 1, 0, 0);
        return b.concat(m + ".concat", m, List.of(b1, b7, bd, bp));
    }

    static T d(CnnBuilder b, String m, T x) {
        T b3 = basic(b, m + ".branch3x3_1", m, x, 192, 1, 1, 1, 0, 0);
        b3 = basic(b, m + ".branch3x3_2", m, b3, 320, 3, 3, 2, 0, 0);
        T b7 = basic(b, m + ".branch7x7x3_1", m, x, 192, 1, 1, 1, 0, 0);
        b7 = basic(b, m + ".branch7x7x3_2", m, b7, 192, 1, 7, 1, 0, 3);
        b7 = basic(b, m + ".branch7x7x3_3", m, b7, 192, 7, 1, 1, 3, 0);
        b7 = basic(b, m + ".branch7x7x3_4", m, b7, 192, 3, 3, 2, 0, 0);
        T bp = b.pool(m + ".maxpool", "maxpool", m, x, 3, 2, 0);
        return b.concat(m + ".concat", m, List.of(b3, b7, bp));
    }

    static T e(CnnBuilder b, String m, T x) {
        T b1 = basic(b, m + ".branch1x1", m, x, 320, 1, 1, 1, 0, 0);
        T b3 = basic(b, m + ".branch3x3_1", m, x, 384, 1, 1, 1, 0, 0);
        T b3a = basic(b, m + ".branch3x3_2a", m, b3, 384, 1, 3, 1, 0, 1);
        T b3b = basic(b, m + ".branch3x3_2b", m, b3, 384, 3, 1, 1, 1, 0);
        T bd = basic(b, m + ".branch3x3dbl_1", m, x, 448, 1, 1, 1, 0, 0);
        bd = basic(b, m + ".branch3x3dbl_2", m, bd, 384, 3, 3, 1, 1, 1);
        T bda = basic(b, m + ".branch3x3dbl_3a", m, bd, 384, 1, 3, 1, 0, 1);
        T bdb = basic(b, m + ".branch3x3dbl_3b", m, bd, 384, 3, 1, 1, 1, 0);
        T bp = b.pool(m + ".avgpool", "avgpool", m, x, 3, 1, 1);
        bp = basic(b, m + ".branch_pool", m, bp, 192, 1, 1, 1, 0, 0);
        return b.concat(m + ".concat", m, List.of(b1, b3a, b3b, bda, bdb, bp));
    }
}
