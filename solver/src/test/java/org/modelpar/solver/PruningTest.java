package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.ReduceScatter;

/**
 * The lower bounds prune without changing the plan: the search with pruning and without gives the same plan and
 * prediction byte for byte (only the explanation differs: the pruned candidates are named there instead of among
 * the runner-ups), on small seeded cases with the ZeRO stage and the plan options searched, and on a mid-size GPT.
 */
class PruningTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("gpt-mini", "dgx-a100", 64, 1L),
                Arguments.of("gpt-mini", "dgx-v100:2", 32, 7L),
                Arguments.of("gpt-tiny", "dgx-a100:2", 128, 3L),
                Arguments.of("bert-large", "dgx-v100", 64, 11L),
                Arguments.of("gpt2-medium", "dgx-a100:4", 256, 5L),
                // 3.6 B parameters hold 57.6 GB of state: no configuration with p t = 1 fits 32 GB V100s, so those are not placed
                Arguments.of("megatron-3.6b", "dgx-v100", 64, 2L));
    }

    @ParameterizedTest(name = "{0} on {1}, batch {2}, seed {3}")
    @MethodSource("cases")
    void prunedAndUnprunedSearchesChooseTheSamePlan(String model, String cluster, int batch, long seed) {
        ComputationGraph graph = ModelZoo.build(model);
        ClusterSpec spec = Clusters.resolve(cluster);
        PlanRequest request = PlanRequest.of(batch).withSeed(seed);
        PlanResult pruned = planner(true).plan(graph, spec, request);
        PlanResult full = planner(false).plan(graph, spec, request);
        assertThat(withoutExplanation(pruned.best())).isEqualTo(withoutExplanation(full.best()));
        assertThat(pruned.configurationsSimulated()).isLessThanOrEqualTo(full.configurationsSimulated());
        assertThat(full.best().explanation().lines()).noneMatch(l -> l.startsWith("pruned: "));
    }

    /**
     * Seeded random layered DAGs on two DGX A100 nodes, placed by the exact program over their ideals, where hybrids are
     * sought: with the hybrids' time bound ({@link ReplicaWork}) the same plan as without any pruning.
     */
    @ParameterizedTest(name = "random DAG seed {0}, {1} layers of {2}")
    @org.junit.jupiter.params.provider.CsvSource({"1, 6, 2", "2, 5, 3", "4, 8, 2"})
    void prunedAndUnprunedSearchesChooseTheSamePlanOnRandomDags(long seed, int layers, int width) {
        ComputationGraph graph = RandomDags.layered(seed, layers, width);
        ClusterSpec spec = Clusters.resolve("dgx-a100:2");
        PlanRequest request = PlanRequest.of(64).withSeed(seed);
        PlanResult pruned = planner(true).plan(graph, spec, request);
        PlanResult full = planner(false).plan(graph, spec, request);
        assertThat(pruned.best().explanation().lines()).anyMatch(l -> l.contains("exact dynamic program"));
        assertThat(withoutExplanation(pruned.best())).isEqualTo(withoutExplanation(full.best()));
    }

    /**
     * ZeRO stage 3 on a data-parallel gpt2-medium in 16 micro-batches: gathering its 355 M parameters before every
     * forward and backward outweighs the step, so it is pruned, and said so.
     */
    @Test
    void zeroStageThreeIsPrunedAndExplained() {
        ComputationGraph graph = ModelZoo.build("gpt2-medium");
        PlanRequest request = PlanRequest.of(256).withDegrees(OptionalInt.of(1), OptionalInt.of(1), OptionalInt.empty(),
                OptionalInt.of(16));
        PlanResult pruned = planner(true).plan(graph, Clusters.resolve("dgx-a100:2"), request);
        PlanResult full = planner(false).plan(graph, Clusters.resolve("dgx-a100:2"), request);
        assertThat(withoutExplanation(pruned.best())).isEqualTo(withoutExplanation(full.best()));
        List<String> lines = pruned.best().explanation().lines();
        assertThat(lines).anyMatch(l -> l.matches("pruned: pp=1 tp=1 dp=16 .* zero-3: lower bound \\d+\\.\\d{4} s ≥ best \\d+\\.\\d{4} s"
                + " \\(its data-parallel collectives through the busiest port at full bandwidth\\)"));
        assertThat(pruned.configurationsSimulated()).isLessThan(full.configurationsSimulated());
    }

    /**
     * 18 B parameters hold 288 GB of state, above the 8 x 30.4 GiB usable of a DGX V100: the pruned search does not run
     * the searches at ZeRO stages 1 to 3 and fails with the same message as the full one, which runs and fails them.
     */
    @Test
    void nothingFitsAtAnyZeroStageWithoutSearchingThem() {
        ComputationGraph graph = ModelZoo.build("megatron-18b");
        ClusterSpec cluster = Clusters.resolve("dgx-v100");
        PlanRequest request = PlanRequest.of(64);
        assertThat(StateLowerBound.fitsNowhere(graph, cluster, request)).isTrue();
        Throwable pruned = catchThrowable(() -> planner(true).plan(graph, cluster, request));
        Throwable full = catchThrowable(() -> planner(false).plan(graph, cluster, request));
        assertThat(pruned).isInstanceOf(InfeasibleException.class);
        assertThat(pruned.getMessage()).isEqualTo(full.getMessage()).startsWith("nothing fits: ")
                .endsWith("(ZeRO stages 1 to 3 do not fit either)");
    }

    /**
     * ZeRO stage 2 reduce-scatters each unit's gradients after every micro-batch's backward instead of all of them once
     * a step (stage 1): on every schedule m = 16 times the reduce-scatter bytes, for a lower peak (and another step
     * program, so stage 2 is simulated, not pruned as stage 1's step).
     */
    @Test
    void zeroStageTwoTradesCommunicationForMemory() {
        ComputationGraph graph = ModelZoo.build("gpt2-medium");
        ClusterSpec cluster = Clusters.resolve("dgx-a100:2");
        for (Schedule schedule : new Schedule[] {Schedule.ONE_F_ONE_B, Schedule.GPIPE, Schedule.ZB_H1}) {
            PlacementPlan plan = planner(true).plan(graph, cluster, PlanRequest.of(256).withDegrees(OptionalInt.of(2),
                    OptionalInt.of(2), OptionalInt.of(4), OptionalInt.of(16)).withSchedule(Optional.of(schedule))).best().plan();
            PlacementPlan one = plan.withOptions(plan.options().withZeroStage(1));
            PlacementPlan two = plan.withOptions(plan.options().withZeroStage(2));
            assertThat(reduceScatterBytes(graph, cluster, two)).isEqualTo(16 * reduceScatterBytes(graph, cluster, one));
            assertThat(Simulator.simulate(graph, cluster, two).peakMemoryBytes())
                    .isLessThan(Simulator.simulate(graph, cluster, one).peakMemoryBytes());
        }
    }

    /** The reduce-scatter bytes of the first device's program. */
    private static long reduceScatterBytes(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan) {
        return Lowering.lower(graph, cluster, plan).programs().get(0).instructions().stream()
                .filter(i -> i instanceof ReduceScatter).mapToLong(i -> ((ReduceScatter) i).bytes()).sum();
    }

    private static Planner planner(boolean prunes) {
        return new Planner(SimulationOptions.defaults().costModel(), prunes);
    }

    /** The plan file's JSON without its explanation lines and runner-ups. */
    private static String withoutExplanation(PlanFile file) {
        return PlanJson.write(new PlanFile(file.plan(), file.predicted(), file.computeSeconds(),
                org.modelpar.simulator.plan.Explanation.none()));
    }
}
