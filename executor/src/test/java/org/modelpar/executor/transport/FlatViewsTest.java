package org.modelpar.executor.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A flat view is made once per array (by identity) and bounds, and writes through; a pool keeps the views of the arrays
 * it lent only.
 */
class FlatViewsTest {
    @Test
    void aViewIsMadeOncePerArrayAndBoundsAndWritesThrough() {
        FlatViews views = new FlatViews();
        INDArray t = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}});
        INDArray middle = views.interval(t, 1, 3);
        assertThat(middle.toFloatVector()).containsExactly(2f, 3f);
        assertThat(views.interval(t, 1, 3)).isSameAs(middle);
        assertThat(views.interval(t, 1, 2)).as("other bounds").isNotSameAs(middle);
        assertThat(views.interval(t.dup(), 1, 3)).as("an equal array of its own").isNotSameAs(middle);
        middle.assign(9);
        assertThat(views.interval(t, 0, 4).toFloatVector()).containsExactly(1f, 9f, 9f, 4f);
        assertThatThrownBy(() -> views.interval(t, 2, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("elements [2, 5) of an array of 4");
        assertThat(FlatViews.cut(t, 1, 3)).as("made now").isNotSameAs(middle);
        assertThat(FlatViews.cut(t, 1, 3).toFloatVector()).containsExactly(9f, 9f);
    }

    @Test
    void aPoolKeepsTheViewsOfTheArraysItLentOnly() {
        PooledArrays pool = new PooledArrays();
        INDArray lent = pool.take(DataType.FLOAT, new long[] {4});
        INDArray chunk = pool.interval(lent, 2, 4);
        pool.release(List.of(lent));
        INDArray again = pool.take(DataType.FLOAT, new long[] {4});
        assertThat(again).isSameAs(lent);
        assertThat(pool.interval(again, 2, 4)).isSameAs(chunk);
        INDArray own = Nd4j.zeros(DataType.FLOAT, 4);
        assertThat(pool.interval(own, 2, 4)).as("a caller's buffer, which may be dropped after the call")
                .isNotSameAs(pool.interval(own, 2, 4));
    }
}
