package org.modelpar.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.profile.Calibration;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.cost.DurationNoise;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * The predicted step under varying durations is the median of {@value VaryingDurations#STEPS} steps drawn with seeds
 * 0, 1, ...; the durations vary as the run's did, unless its workers outnumber the cores.
 */
class VaryingDurationsTest {
    private static final ClusterSpec LOCAL = LocalCluster.of(2, Path.of("target", "no-modelpar-home"), ProfileLimits.DEFAULT);
    private final ComputationGraph graph = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=8,vocab=16");
    private final PlacementPlan plan = Calibration.wholeModel(graph, 2);

    @Test
    void theMedianOfTheStepsDrawnWithSeedsZeroOnward() {
        SimulationOptions options = SimulationOptions.defaults();
        DurationNoise noise = new DurationNoise(new double[] {0.5, 1, 2, 4}, 99);
        double[] drawn = new double[VaryingDurations.STEPS];
        for (int seed = 0; seed < drawn.length; seed++) {
            drawn[seed] = Simulator.simulate(graph, LOCAL, plan, options.withNoise(noise.withSeed(seed))).stepSeconds();
        }
        Arrays.sort(drawn);
        List<SimulationOptions> asked = new ArrayList<>();
        SimulationReport median = VaryingDurations.medianStep(options, noise, o -> {
            asked.add(o);
            return Simulator.simulate(graph, LOCAL, plan, o);
        });
        assertThat(median.stepSeconds()).isEqualTo(drawn[VaryingDurations.STEPS / 2]);
        assertThat(asked).hasSize(VaryingDurations.STEPS);
        assertThat(drawn[0]).as("the draws differ").isLessThan(drawn[drawn.length - 1]);
        asked.clear();
        VaryingDurations.medianStep(options, DurationNoise.NONE, o -> {
            asked.add(o);
            return Simulator.simulate(graph, LOCAL, plan, o);
        });
        assertThat(asked).containsExactly(options);
    }

    @Test
    void durationsVaryAsTheRunsUnlessWorkersOutnumberCores() {
        Compute f = new Compute(0, 0, Direction.FORWARD, false);
        Timeline run = new Timeline(Timeline.Source.MEASURED, List.of("a"), List.of(new Span("a", 1, 0, f, 0, 1),
                new Span("a", 2, 0, f, 10, 12), new Span("a", 3, 0, f, 20, 21.5)), List.of(), List.of());
        assertThat(VaryingDurations.of(run, 1, false).varies()).isTrue();
        assertThat(VaryingDurations.of(run, 1, true).varies()).isFalse();
    }
}
