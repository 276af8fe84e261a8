package org.modelpar.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class EfficiencyCurveTest {
    private final EfficiencyCurve curve = new EfficiencyCurve(List.of(
            new EfficiencyCurve.Point(1e9, 0.8), new EfficiencyCurve.Point(1e6, 0.2), new EfficiencyCurve.Point(1e8, 0.5)));

    @Test
    void exactAtPoints() {
        assertThat(curve.at(1e6)).isEqualTo(0.2);
        assertThat(curve.at(1e8)).isEqualTo(0.5);
        assertThat(curve.at(1e9)).isEqualTo(0.8);
    }

    @Test
    void linearInLogSizeBetweenPoints() {
        // 1e7 is halfway between 1e6 and 1e8 in log size
        assertThat(curve.at(1e7)).isCloseTo(0.35, within(1e-12));
        // 10^8.25 is a quarter of the way from 1e8 to 1e9
        assertThat(curve.at(Math.pow(10, 8.25))).isCloseTo(0.5 + 0.25 * 0.3, within(1e-12));
    }

    @Test
    void clampedOutsideTheRange() {
        assertThat(curve.at(1)).isEqualTo(0.2);
        assertThat(curve.at(0)).isEqualTo(0.2);
        assertThat(curve.at(-5)).isEqualTo(0.2);
        assertThat(curve.at(Double.NaN)).isEqualTo(0.2);
        assertThat(curve.at(1e30)).isEqualTo(0.8);
        assertThat(curve.at(Double.POSITIVE_INFINITY)).isEqualTo(0.8);
    }

    @Test
    void constantCurve() {
        assertThat(EfficiencyCurve.constant(0.7).at(123)).isEqualTo(0.7);
    }

    @Test
    void rejectsBadPoints() {
        assertThatThrownBy(() -> new EfficiencyCurve.Point(1, 1.5)).isInstanceOf(ProfileException.class)
                .hasMessage("efficiency must be in (0, 1], got 1.5 at size 1.0");
        assertThatThrownBy(() -> new EfficiencyCurve(List.of(new EfficiencyCurve.Point(2, 0.5),
                new EfficiencyCurve.Point(2, 0.6)))).hasMessage("efficiency curve has two points at size 2.0");
    }
}
