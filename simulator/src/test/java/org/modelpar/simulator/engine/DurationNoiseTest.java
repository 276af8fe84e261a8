package org.modelpar.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.cost.DurationNoise;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

/**
 * Every compute instruction takes its price times a factor drawn with the noise's seed: a two-stage pipeline of one
 * micro-batch on free links is a chain of its four passes (1, 1, 2 and 2 ms), so its step is their drawn sum.
 */
class DurationNoiseTest {
    private final ComputationGraph g = Fixtures.chain(2, 1e-3, 2e-3, 0, 0, 0);
    private final ClusterSpec c = Fixtures.freeCluster(2);
    private final PlacementPlan plan = Fixtures.plan(g, c, Fixtures.oneDeviceEach(2), 1, 1, Schedule.GPIPE, 1, false,
            Precision.FP32, OptimizerKind.SGD);

    private double step(DurationNoise noise) {
        return Simulator.simulate(g, c, plan, SimulationOptions.defaults().withNoise(noise)).stepSeconds();
    }

    @Test
    void eachComputeInstructionTakesItsPriceTimesADrawnFactor() {
        assertThat(step(DurationNoise.NONE)).isCloseTo(6e-3, offset(1e-12));
        assertThat(step(new DurationNoise(new double[] {2}, 5))).isCloseTo(12e-3, offset(1e-12));
        Set<Double> steps = new HashSet<>();
        for (long seed = 0; seed < 16; seed++) {
            DurationNoise noise = new DurationNoise(new double[] {1, 3}, seed);
            double s = step(noise);
            assertThat(step(noise)).as("the same seed, the same step").isEqualTo(s);
            // each pass 1 or 3 times its price: 6 ms plus 2 ms for each 1 ms pass drawn 3, 4 ms for each 2 ms pass
            double extra = Math.round((s - 6e-3) / 2e-3);
            assertThat(s).isCloseTo(6e-3 + extra * 2e-3, offset(1e-12));
            assertThat(extra).isBetween(0.0, 6.0);
            steps.add(s);
        }
        assertThat(steps).as("other seeds draw otherwise").hasSizeGreaterThan(3);
    }

    @Test
    void aFactorMustBeFiniteAndPositive() {
        assertThatThrownBy(() -> new DurationNoise(new double[] {1, 0}, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duration factor 1 must be finite and positive, got 0.0");
        assertThatThrownBy(() -> new DurationNoise(new double[] {Double.POSITIVE_INFINITY}, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(DurationNoise.NONE.varies()).isFalse();
    }
}
