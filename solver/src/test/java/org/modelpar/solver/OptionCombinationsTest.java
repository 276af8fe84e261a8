package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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

/**
 * The ZeRO stage and the plan options are searched together: on a profile measured by {@code modelpar profile} on a
 * 2-core machine (resources/profiles/local-two-cores.json), priced as two worker processes, the mlp's data-parallel
 * plan is as fast as the fastest of the same configuration with the ZeRO stage and the gradient-reduce overlap both
 * fixed, every one of the eight pairs. Switching one option at a time from a winner with the overlap found stage 2
 * with it (and, without it, a tie) and never tried stage 0 without it, 2% faster.
 */
class OptionCombinationsTest {
    @TempDir
    Path home;

    @Test
    void theWinnerIsTheFastestOfEveryZeroStageAndOverlapPair() throws IOException {
        Path profile = home.resolve(LocalCluster.MEASURED);
        Files.createDirectories(profile.getParent());
        try (InputStream in = getClass().getResourceAsStream("/profiles/local-two-cores.json")) {
            Files.copy(in, profile);
        }
        ClusterSpec cluster = Clusters.resolve("local:2", home, ProfileLimits.DEFAULT).asWorkerProcesses();
        ComputationGraph graph = ModelZoo.build("mlp:layers=4,width=256");
        PlanRequest request = PlanRequest.of(16)
                .withDegrees(OptionalInt.of(1), OptionalInt.of(1), OptionalInt.of(2), OptionalInt.of(1))
                .withSchedule(Optional.of(Schedule.GPIPE)).withPrecision(Precision.FP32, OptimizerKind.ADAM);
        double searched = new Planner().plan(graph, cluster, request).report().stepSeconds();
        double fastest = Double.MAX_VALUE;
        for (int zero = 0; zero <= Planner.MOST_ZERO_STAGE; zero++) {
            for (boolean overlap : new boolean[] {false, true}) {
                PlanRequest fixed = request.withSharding(OptionalInt.of(zero), OptionalInt.empty())
                        .withPlanOptions(Optional.empty(), Optional.of(overlap));
                fastest = Math.min(fastest, new Planner().plan(graph, cluster, fixed).report().stepSeconds());
            }
        }
        assertThat(searched).isEqualTo(fastest);
    }
}
