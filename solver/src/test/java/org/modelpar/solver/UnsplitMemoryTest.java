package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

/** The least memory of the whole model on one device, and the plan it forces under a smaller budget. */
class UnsplitMemoryTest {
    private static final ComputationGraph GRAPH = ModelZoo.build("gpt-tiny");
    private static final PlanRequest FP32 = PlanRequest.of(16).withPrecision(Precision.FP32, OptimizerKind.ADAM)
            .withDegrees(OptionalInt.empty(), OptionalInt.of(1), OptionalInt.empty(), OptionalInt.empty());

    @TempDir
    Path home;

    @Test
    void isThePeakOfTheOneDeviceOneSamplePlan() {
        ClusterSpec one = Clusters.resolve("local:1", home, ProfileLimits.DEFAULT);
        PlanResult r = new Planner().plan(GRAPH, one, FP32.withDegrees(OptionalInt.of(1), OptionalInt.of(1), OptionalInt.of(1),
                OptionalInt.of(16)).withSchedule(Optional.of(Schedule.ONE_F_ONE_B)));
        assertThat(r.unsplit().neededBytes()).isEqualTo(r.report().peakMemoryBytes());
        // fp32 Adam keeps 16 bytes per parameter: weights, gradients and two moments (4 x the fp32 parameter bytes)
        assertThat(r.unsplit().neededBytes()).isGreaterThan(4 * GRAPH.parameterBytes());
        assertThat(r.unsplit().capacityBytes()).isEqualTo(2L << 30);
        assertThat(r.unsplit().usableBytes()).isEqualTo((long) ((2L << 30) * 0.95));
        assertThat(r.unsplit().fits()).isTrue();
        assertThat(r.best().explanation().lines()).noneMatch(l -> l.startsWith("split:"));
    }

    @Test
    void aBudgetBelowItSplitsTheModelAndSaysWhy() {
        long needed = new Planner().plan(GRAPH, Clusters.resolve("local:2", home, ProfileLimits.DEFAULT), FP32).unsplit().neededBytes();
        long budget = needed * 3 / 4;
        ClusterSpec budgeted = LocalCluster.withDeviceMemory(Clusters.resolve("local:2", home, ProfileLimits.DEFAULT), budget, "test");
        PlanResult r = new Planner().plan(GRAPH, budgeted, FP32);
        assertThat(r.unsplit().neededBytes()).isEqualTo(needed);
        assertThat(r.unsplit().fits()).isFalse();
        assertThat(r.best().plan().pipelineStages()).isEqualTo(2);
        assertThat(r.report().peakMemoryBytes()).isLessThanOrEqualTo(r.unsplit().usableBytes());
        assertThat(r.best().explanation().lines().get(1)).isEqualTo("split: " + r.unsplit().why(r.best().plan()))
                .startsWith("split: the whole model needs " + String.format(java.util.Locale.ROOT, "%.2f MiB", needed / 1048576.0)
                        + " on one device, above the ").endsWith(" usable of " + String.format(java.util.Locale.ROOT, "%.2f MiB",
                        budget / 1048576.0) + ": 2 pipeline stages");
    }
}
