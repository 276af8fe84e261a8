package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Schedule;

/**
 * ZeRO stages in the search, on gpt2-large (774 M parameters), one DGX-1 (8 V100 32 GB), batch 64, pure data
 * parallelism (pp=1 tp=1 dp=8) with 40% of each GPU usable (12.8 GiB): unsharded, bf16 Adam holds 16 bytes
 * per parameter (2 parameters, 2 gradients, 12 optimizer state: about 11.5 GiB), which with the activations
 * (19.9 GiB in all) does not fit; ZeRO stage 1 shards the 12 optimizer bytes over the 8 replicas (Rajbhandari et
 * al., SC 2020), which does (12.35 GiB).
 */
class PlanZeroTest {
    private static final ComputationGraph GRAPH = ModelZoo.build("gpt2-large");
    private static final ClusterSpec CLUSTER = Clusters.resolve("dgx-v100");
    private static final PlanRequest DATA_PARALLEL = PlanRequest.of(64).withMemoryMargin(0.60)
            .withDegrees(OptionalInt.of(1), OptionalInt.of(1), OptionalInt.empty(), OptionalInt.empty());

    @Test
    void aPlanThatFitsOnlyWithZeroIsFoundAndExplained() {
        PlanResult r = new Planner().plan(GRAPH, CLUSTER, DATA_PARALLEL);
        PlacementPlan best = r.best().plan();
        assertThat(best.options().zeroStage()).isPositive();
        assertThat(fits(best)).isTrue();
        assertThat(fits(best.withOptions(best.options().withZeroStage(0)))).isFalse();
        assertThat(r.best().explanation().lines().get(0)).contains(" zero-" + best.options().zeroStage());
        assertThat(r.best().explanation().lines()).anyMatch(l -> l.startsWith("decided by: ZeRO stage "
                + best.options().zeroStage() + " (the only way to fit: with stage 0"));
    }

    @Test
    void aFixedZeroStageIsKeptAndStageZeroFixedDoesNotFit() {
        PlanResult r = new Planner().plan(GRAPH, CLUSTER, DATA_PARALLEL.withSharding(OptionalInt.of(2), OptionalInt.of(1)));
        assertThat(r.best().plan().options().zeroStage()).isEqualTo(2);
        assertThat(fits(r.best().plan())).isTrue();
        assertThatThrownBy(() -> new Planner().plan(GRAPH, CLUSTER, DATA_PARALLEL.withSharding(OptionalInt.of(0), OptionalInt.of(1))))
                .isInstanceOf(InfeasibleException.class).hasMessageContaining("nothing fits");
    }

    @Test
    void theSearchIsDeterministicWithZero() {
        PlanResult a = new Planner().plan(GRAPH, CLUSTER, DATA_PARALLEL);
        PlanResult b = new Planner().plan(GRAPH, CLUSTER, DATA_PARALLEL);
        assertThat(b.best().plan()).isEqualTo(a.best().plan());
    }

    /** A runtime's check bounds the ZeRO stages searched; a fixed stage it refuses is refused with its reason. */
    @Test
    void aRuntimeSearchesOnlyTheZeroStagesItTrains() {
        RuntimeCheck upToOne = (s, o) -> o.zeroStage() > 1 ? Optional.of("shards optimizer state only") : Optional.empty();
        PlanResult r = new Planner().plan(GRAPH, CLUSTER, DATA_PARALLEL.forRuntime(upToOne));
        assertThat(r.best().plan().options().zeroStage()).as("the only stage that fits and is trained").isEqualTo(1);
        assertThat(fits(r.best().plan())).isTrue();
        RuntimeCheck none = (s, o) -> o.zeroStage() > 0 ? Optional.of("shards nothing") : Optional.empty();
        assertThatThrownBy(() -> new Planner().plan(GRAPH, CLUSTER, DATA_PARALLEL.forRuntime(none)))
                .isInstanceOf(InfeasibleException.class).hasMessageContaining("nothing fits")
                .hasMessageNotContaining("ZeRO stages");
        assertThatThrownBy(() -> DATA_PARALLEL.withSharding(OptionalInt.of(2), OptionalInt.empty()).forRuntime(upToOne))
                .isInstanceOf(PlanException.class)
                .hasMessage("--zero-stage 2 is not trained by the runtime of this cluster: shards optimizer state only");
        PlanRequest two = PlanRequest.of(64).withSharding(OptionalInt.of(1), OptionalInt.empty())
                .withPlanOptions(Optional.empty(), Optional.of(true)).forRuntime(upToOne);
        assertThat(two.zeroStages(Schedule.ONE_F_ONE_B)).containsExactly(1);
        assertThat(two.overlapGradientReduce()).contains(true);
    }

    @Test
    void expertParallelismWithZeroIsRefused() {
        assertThatThrownBy(() -> PlanRequest.of(64).withSharding(OptionalInt.of(1), OptionalInt.of(2)))
                .isInstanceOf(PlanException.class).hasMessage("expertParallel 2 with zeroStage 1 is not modelled: use one of them");
    }

    private static boolean fits(PlacementPlan plan) {
        return MemoryModel.perDevice(GRAPH, CLUSTER, plan).values().stream()
                .allMatch(m -> m.total() <= DATA_PARALLEL.usableBytes(CLUSTER.devices().get(0).profile().memoryBytes()));
    }
}
