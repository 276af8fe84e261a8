package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.plan.PlanJson;

class PlannerTest {
    @Test
    void plansGpt2OnOneNodeWithinMemoryAndExplains() {
        ComputationGraph graph = ModelZoo.build("gpt2-medium");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        PlanResult r = new Planner().plan(graph, cluster, PlanRequest.of(64));
        assertThat(r.best().plan().devices()).hasSize(8);
        r.report().devices().forEach((id, d) -> assertThat(d.peakMemoryBytes()).isLessThanOrEqualTo((long) (d.capacityBytes() * 0.95)));
        assertThat(r.best().explanation().lines()).anyMatch(l -> l.startsWith("bottleneck: stage"));
        // Timefold's score in words and seconds, never raw score levels
        assertThat(r.best().explanation().lines()).anyMatch(l -> l.startsWith("constraint bottleneckStage: binds on stage"))
                .noneMatch(l -> l.contains("hard/") || l.contains("soft"));
        assertThat(r.best().explanation().runnerUps()).isNotEmpty();
    }

    @Test
    void neverExceedsCapacityMinusTheMargin() {
        ComputationGraph graph = ModelZoo.build("gpt2-large");
        ClusterSpec cluster = Clusters.resolve("dgx-v100");
        PlanResult r = new Planner().plan(graph, cluster, PlanRequest.of(64).withMemoryMargin(0.6));
        r.report().devices().forEach((id, d) -> assertThat(d.peakMemoryBytes()).as(id)
                .isLessThanOrEqualTo((long) (d.capacityBytes() * 0.4)));
        assertThatThrownBy(() -> new Planner().plan(graph, cluster, PlanRequest.of(64).withMemoryMargin(0.99)))
                .isInstanceOf(InfeasibleException.class).hasMessageContaining("usable with a 99% margin");
    }

    @Test
    void sameRequestSameJson() {
        ComputationGraph graph = ModelZoo.build("gpt2-small");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        PlanRequest req = PlanRequest.of(32);
        String a = PlanJson.write(new Planner().plan(graph, cluster, req).best());
        String b = PlanJson.write(new Planner().plan(graph, cluster, req).best());
        assertThat(a).isEqualTo(b);
    }

    @Test
    void replanningFromAnEarlierPlanTriesItsConfigurationFirstAndStillFindsTheBest() {
        ComputationGraph graph = ModelZoo.build("gpt2-small");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        PlanRequest req = PlanRequest.of(32);
        PlanResult best = new Planner().plan(graph, cluster, req);
        PlanResult earlier = new Planner().plan(graph, cluster, req.withDegrees(OptionalInt.of(2), OptionalInt.of(1),
                OptionalInt.of(4), OptionalInt.empty()));
        Configuration start = Configuration.of(earlier.best().plan());
        List<String> firstLabels = new ArrayList<>();
        PlanResult again = new Planner().plan(graph, cluster, req, (tried, total, label) -> {
            if (tried == 1) {
                firstLabels.add(label);
            }
        }, Optional.of(earlier.best().plan()));
        assertThat(start.label()).startsWith("pp=2 tp=1 dp=4");
        assertThat(firstLabels).singleElement().asString().startsWith(start.label());
        assertThat(again.best().plan()).isEqualTo(best.best().plan());
        assertThat(again.report().stepSeconds()).isEqualTo(best.report().stepSeconds());
    }

    @Test
    void gpt3OnOneNodeIsInfeasibleWithNumbers() {
        ComputationGraph graph = ModelZoo.build("gpt3-175b");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        assertThatThrownBy(() -> new Planner().plan(graph, cluster, PlanRequest.of(1536)))
                .isInstanceOf(InfeasibleException.class)
                .hasMessageContaining("GiB per device on n0g")
                .hasMessageContaining("more a100");
    }
}
