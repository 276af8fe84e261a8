package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.PlanValidator;

/**
 * The planner's clock ({@link Planner#withClock}): without a time limit the plan does not depend on how fast the
 * clock runs; with one that fires, the search stops early, says what it skipped and still returns a valid plan.
 */
class PlannerClockTest {
    /** A clock 100 times slower than the JVM's. */
    private static final class SlowClock implements SearchClock {
        int reads;

        @Override
        public long nanos() {
            reads++;
            return System.nanoTime() / 100;
        }
    }

    /** A clock that moves {@code stepNanos} on every reading. */
    private static final class JumpingClock implements SearchClock {
        private final long stepNanos;
        private long now;
        int reads;

        JumpingClock(long stepNanos) {
            this.stepNanos = stepNanos;
        }

        @Override
        public long nanos() {
            reads++;
            now += stepNanos;
            return now;
        }
    }

    private static final long HOUR_NANOS = Duration.ofHours(1).toNanos();

    @Test
    void withoutATimeLimitAnyClockGivesTheSamePlanJson() {
        ComputationGraph graph = ModelZoo.build("gpt2-small");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        PlanRequest request = PlanRequest.of(32);
        PlanResult normal = new Planner().plan(graph, cluster, request);
        SlowClock slow = new SlowClock();
        PlanResult slowed = new Planner().withClock(slow).plan(graph, cluster, request);
        JumpingClock jumping = new JumpingClock(HOUR_NANOS);
        PlanResult jumped = new Planner().withClock(jumping).plan(graph, cluster, request);

        String json = PlanJson.write(normal.best());
        assertThat(PlanJson.write(slowed.best())).isEqualTo(json);
        assertThat(PlanJson.write(jumped.best())).isEqualTo(json);
        // the fake clocks were the planner's: read for the search's duration only, an hour per reading
        assertThat(slow.reads).isEqualTo(2);
        assertThat(jumping.reads).isEqualTo(2);
        assertThat(jumped.searchSeconds()).isEqualTo(3600.0);
        assertThat(normal.completed()).isTrue();
        assertThat(jumped.completed()).isTrue();
        assertThat(json).doesNotContain("time limit");
    }

    @Test
    void withoutATimeLimitTimefoldsPathIsClockFreeToo() {
        // a random DAG on a heterogeneous cluster: the placement is refined by Timefold
        ComputationGraph graph = ModelZoo.build("dag:ops=300,seed=3,width=6");
        ClusterSpec cluster = Clusters.resolve("mixed-a100-v100");
        PlanRequest request = PlanRequest.of(32).withSeed(5)
                .withDegrees(OptionalInt.of(2), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
        String normal = PlanJson.write(new Planner().plan(graph, cluster, request).best());
        String jumped = PlanJson.write(new Planner().withClock(new JumpingClock(HOUR_NANOS)).plan(graph, cluster, request).best());
        assertThat(jumped).isEqualTo(normal);
    }

    @Test
    void aLimitThatDoesNotFireGivesThePlanOfNoLimit() {
        ComputationGraph graph = ModelZoo.build("gpt2-small");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        PlanRequest request = PlanRequest.of(32);
        PlanResult unlimited = new Planner().plan(graph, cluster, request);
        PlanResult limited = new Planner().withClock(new JumpingClock(1))
                .plan(graph, cluster, request.withTimeLimit(Optional.of(Duration.ofHours(1))));
        assertThat(PlanJson.write(limited.best())).isEqualTo(PlanJson.write(unlimited.best()));
        assertThat(limited.completed()).isTrue();
    }

    @Test
    void anExpiredLimitStopsTheSearchSaysWhatItSkippedAndThePlanIsValid() {
        ComputationGraph graph = ModelZoo.build("gpt2-small");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        PlanRequest request = PlanRequest.of(32);
        PlanResult full = new Planner().plan(graph, cluster, request);
        PlanResult r = new Planner().withClock(new JumpingClock(HOUR_NANOS))
                .plan(graph, cluster, request.withTimeLimit(Optional.of(Duration.ofSeconds(1))));

        assertThat(r.completed()).isFalse();
        assertThat(r.configurationsTried()).isEqualTo(1).isLessThan(full.configurationsTried());
        assertThat(r.best().explanation().lines().get(0)).contains("1 configurations considered").endsWith("; time limit reached)");
        String total = String.format("%,d", full.configurationsTried());
        assertThat(r.best().explanation().lines()).filteredOn(l -> l.startsWith("time limit")).singleElement()
                .isEqualTo("time limit 1 s fired: not searched: " + String.format("%,d", full.configurationsTried() - 1)
                        + " of " + total + " configurations at ZeRO stage 0, the winner at every ZeRO"
                        + " stage with each setting of the plan options, the winner with sequence parallelism or gradient-reduce overlap switched; the plan depends"
                        + " on machine speed (without --time-limit the search is bounded by counts alone)");
        // still a plan of the graph on the cluster, within memory, whose prediction is the simulator's
        PlanValidator.validate(r.best().plan(), graph, cluster);
        r.report().devices().forEach((id, d) -> assertThat(d.peakMemoryBytes()).as(id)
                .isLessThanOrEqualTo((long) (d.capacityBytes() * 0.95)));
        SimulationReport again = Simulator.simulate(graph, cluster, r.best().plan(), SimulationOptions.defaults());
        assertThat(again.stepSeconds()).isEqualTo(r.report().stepSeconds());
        assertThat(r.report().stepSeconds()).isGreaterThanOrEqualTo(full.report().stepSeconds());
    }
}
