package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;

class ConfigurationSpaceTest {
    @Test
    void deviceCountsHalveDownToOneNode() {
        assertThat(ConfigurationSpace.deviceCounts(64, 8)).containsExactly(64, 32, 16, 8);
        assertThat(ConfigurationSpace.deviceCounts(24, 8)).containsExactly(24);
        assertThat(ConfigurationSpace.deviceCounts(8, 8)).containsExactly(8);
    }

    @Test
    void samplesPerReplicaDivideTheBatch() {
        assertThat(ConfigurationSpace.samplesPerReplica(96, 4, -1)).containsExactly(1, 2, 4, 8);
        assertThat(ConfigurationSpace.samplesPerReplica(96, 4, 8)).containsExactly(3);
        assertThat(ConfigurationSpace.samplesPerReplica(96, 4, 7)).isEmpty();
    }

    @Test
    void replicaMicroBatchSizesLieBetweenOnePowerOfTwoAndTheNext() {
        Configuration c = new Configuration(2, 1, 2, 4, 3, Schedule.ONE_F_ONE_B, false);
        assertThat(ConfigurationSpace.replicaMicroBatchSizes(12, c, false)).containsExactly(4, 6);
        assertThat(ConfigurationSpace.replicaMicroBatchSizes(12, c, true)).containsExactly(4);
        // batch 1536 (3 x 512), d = 8, 64 samples: 96 divides it
        Configuration big = new Configuration(4, 8, 8, 64, 24, Schedule.ONE_F_ONE_B, false);
        assertThat(ConfigurationSpace.replicaMicroBatchSizes(1536, big, false)).containsExactly(64, 96);
        assertThat(ConfigurationSpace.replicaMicroBatchSizes(64, new Configuration(2, 1, 2, 8, 8, Schedule.GPIPE, false), false))
                .containsExactly(8);
    }

    @Test
    void zeroBubbleIsSearchedWhereItRuns() {
        List<Configuration> configs = ConfigurationSpace.enumerate(Clusters.resolve("dgx-a100"), PlanRequest.of(64), 50);
        List<Configuration> zb = configs.stream().filter(c -> c.schedule() == Schedule.ZB_H1).toList();
        assertThat(zb).isNotEmpty().allMatch(c -> c.microBatches() >= c.pipeline() && !c.recompute());
        assertThat(configs).noneMatch(c -> c.schedule() == Schedule.INTERLEAVED);
        // the ranking's step in bottleneck slots: 1F1B fills and drains p - 1, ZB-H1 about a third of that
        assertThat(new Configuration(4, 1, 2, 8, 8, Schedule.ONE_F_ONE_B, false).stepSlots()).isEqualTo(11);
        assertThat(new Configuration(4, 1, 2, 8, 8, Schedule.ZB_H1, false).stepSlots()).isEqualTo(9);
        assertThat(new Configuration(4, 1, 2, 8, 8, Schedule.ZB_H1, false).leastStepSlots()).isEqualTo(8);
    }

    @Test
    void forARuntimeOnlyWhatItTrains() {
        // a runtime that trains neither ZB-H1 nor ZeRO stage 3 nor an expert degree of 4
        RuntimeCheck check = (s, o) -> s.splitsBackward() || o.zeroStage() == 3 || o.expertParallel() == 4
                ? Optional.of("not trained") : Optional.empty();
        PlanRequest r = PlanRequest.of(64).forRuntime(check);
        List<Configuration> configs = ConfigurationSpace.enumerate(Clusters.resolve("dgx-a100"), r, 50, 8);
        assertThat(configs).isNotEmpty().noneMatch(c -> c.schedule().splitsBackward()).noneMatch(c -> c.expertParallel() == 4)
                .anyMatch(c -> c.expertParallel() == 2);
        assertThat(r.zeroStages(Schedule.ONE_F_ONE_B)).containsExactly(0, 1, 2);
        assertThat(r.searchesZero()).isTrue();
        assertThat(r.searchesInterleaving()).isTrue();
        assertThat(r.recomputeModes()).containsExactly(Recompute.NONE, Recompute.SELECTIVE, Recompute.FULL);
        assertThat(r.sequenceParallel()).isEmpty();
        assertThat(r.overlapGradientReduce()).isEmpty();
        assertThat(PlanRequest.of(64).zeroStages(Schedule.ZB_H1)).containsExactly(0, 1, 2, 3);
        assertThat(PlanRequest.of(64).forRuntime(RuntimeCheck.ANY).schedules())
                .containsExactly(Schedule.ONE_F_ONE_B, Schedule.GPIPE, Schedule.ZB_H1);
    }

    @Test
    void aRuntimeRefusingACombinationLosesOnlyThatCombination() {
        // modelpar's executor on a graph with routed experts: no ZB-H1 at ZeRO stage 3, both apart
        RuntimeCheck check = (s, o) -> s.splitsBackward() && o.zeroStage() == 3 ? Optional.of("no split backward at stage 3")
                : Optional.empty();
        PlanRequest open = PlanRequest.of(64).forRuntime(check);
        assertThat(open.zeroStages(Schedule.ONE_F_ONE_B)).containsExactly(0, 1, 2, 3);
        assertThat(open.zeroStages(Schedule.ZB_H1)).containsExactly(0, 1, 2);
        assertThat(open.zeroStages(Schedule.INTERLEAVED)).as("asked as 1F1B").containsExactly(0, 1, 2, 3);
        assertThat(open.schedules()).contains(Schedule.ZB_H1);
        PlanRequest three = PlanRequest.of(64).withSharding(OptionalInt.of(3), OptionalInt.empty()).forRuntime(check);
        assertThat(three.schedules()).containsExactly(Schedule.ONE_F_ONE_B, Schedule.GPIPE);
        assertThatThrownBy(() -> PlanRequest.of(64).withSharding(OptionalInt.of(3), OptionalInt.empty())
                .withSchedule(Optional.of(Schedule.ZB_H1), OptionalInt.empty()).forRuntime(check))
                .isInstanceOf(PlanException.class)
                .hasMessage("--zero-stage 3 is not trained by the runtime of this cluster: no split backward at stage 3");
    }

    @Test
    void stagesNeverMixDeviceTypes() {
        ClusterSpec mixed = Clusters.resolve("mixed-a100-v100");
        assertThat(ConfigurationSpace.singleTypeStages(mixed, 2, 8)).isTrue();
        assertThat(ConfigurationSpace.singleTypeStages(mixed, 1, 16)).isFalse();
        List<Configuration> configs = ConfigurationSpace.enumerate(mixed, PlanRequest.of(64), 50);
        assertThat(configs).isNotEmpty().noneMatch(c -> c.pipeline() == 1 && c.devices() == 16);
        assertThat(configs).anyMatch(c -> c.devices() == 8);
    }

    @Test
    void fixedDegreesRestrictTheSearch() {
        PlanRequest r = PlanRequest.of(64).withDegrees(OptionalInt.of(2), OptionalInt.of(4), OptionalInt.empty(),
                OptionalInt.of(8));
        List<Configuration> configs = ConfigurationSpace.enumerate(Clusters.resolve("dgx-a100"), r, 50);
        assertThat(configs).isNotEmpty().allMatch(c -> c.pipeline() == 2 && c.tensor() == 4 && c.microBatches() == 8);
    }

    @Test
    void aFixedZeroBubbleScheduleTakesOnlyWhatItRuns() {
        PlanRequest r = PlanRequest.of(16).withSchedule(java.util.Optional.of(org.modelpar.simulator.plan.Schedule.ZB_H1));
        List<Configuration> configs = ConfigurationSpace.enumerate(Clusters.resolve("dgx-a100"), r, 50);
        assertThat(configs).isNotEmpty().allMatch(c -> !c.recompute() && c.microBatches() >= c.pipeline())
                .anyMatch(c -> c.pipeline() == 8 && c.microBatches() == 8);
    }
}
