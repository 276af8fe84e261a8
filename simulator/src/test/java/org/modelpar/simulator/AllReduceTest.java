package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Lowering;

/** Ring all-reduce of the gradients: 2(n-1)/n S / bw + 2(n-1) latency, the slowest link deciding. */
class AllReduceTest {
    private static final long PARAM_BYTES = 4_000_000;

    private SimulationReport simulate(ClusterSpec c, List<String> devices) {
        ComputationGraph g = Fixtures.chain(1, 0, 0, 0, PARAM_BYTES, 0);
        PlacementPlan plan = Fixtures.plan(g, c, List.of(devices), devices.size(), 1, Schedule.ONE_F_ONE_B, 1, false,
                Precision.FP32, OptimizerKind.SGD);
        return Simulator.simulate(g, c, plan, SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel()));
    }

    @Test
    void ringWithinANode() {
        ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(100e9, 2e-6), new LinkProfile(10e9, 5e-6));
        SimulationReport r = simulate(c, List.of("n0g0", "n0g1", "n0g2", "n0g3"));
        double expected = 2 * 3 / 4.0 * PARAM_BYTES / 100e9 + 2 * 3 * 2e-6;
        assertThat(r.stepSeconds()).isCloseTo(expected, offset(1e-15));
        assertThat(new ZeroOptimizerCostModel().allReduceSeconds(c, List.of("n0g0", "n0g1", "n0g2", "n0g3"), PARAM_BYTES))
                .isCloseTo(expected, offset(1e-15));
    }

    @Test
    void slowestLinkDecidesAcrossNodes() {
        ClusterSpec c = Fixtures.cluster(2, 2, new LinkProfile(100e9, 2e-6), new LinkProfile(10e9, 5e-6));
        SimulationReport r = simulate(c, List.of("n0g0", "n0g1", "n1g0", "n1g1"));
        double expected = 2 * 3 / 4.0 * PARAM_BYTES / 10e9 + 2 * 3 * 5e-6;
        assertThat(r.stepSeconds()).isCloseTo(expected, offset(1e-15));
        assertThat(r.exposedCommunicationFraction()).isCloseTo(1.0, offset(1e-9));
        // exposed communication is not bubble: without a pipeline there is none
        assertThat(r.bubbleFraction()).isCloseTo(0.0, offset(1e-9));
        assertThat(r.criticalPath()).extracting(SimulationReport.CriticalStep::instruction).contains("allreduce s0");
    }

    /**
     * Two ops' gradients, one bucket each, on 4 replicas: overlapped, the reduction gates only the optimizer; its first
     * bucket runs once the last backward has completed its gradients (half of it), its last bucket, the gradients that
     * backward completes last (the first op's), after it: max(B1 middle + D, B1 end + D/2).
     */
    @Test
    void anOverlappedGradientReduceEndsWithItsLastBucketAfterTheBackward() {
        ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(100e9, 2e-6), new LinkProfile(10e9, 5e-6));
        List<String> devices = List.of("n0g0", "n0g1", "n0g2", "n0g3");
        for (long paramBytes : new long[] {PARAM_BYTES, 100 * PARAM_BYTES}) {
            // F = 2 ms, B = 4 ms per micro-batch (two ops of 1 and 2 ms), 2 micro-batches: B1 runs from 8 to 12 ms
            ComputationGraph g = Fixtures.chain(2, 1e-3, 2e-3, 0, paramBytes, 0);
            PlacementPlan after = new PlacementPlan(g.name(), "", c.name(), "", Precision.FP32, OptimizerKind.SGD, 8, 4, 2,
                    Schedule.ONE_F_ONE_B, 1, List.of(new Stage(0, devices, List.of("op0", "op1"), false)));
            SimulationOptions options = SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel());
            double bandwidth = 2 * 3 / 4.0 * 2 * paramBytes / 100e9;
            assertThat(Simulator.simulate(g, c, after, options).stepSeconds())
                    .isCloseTo(12e-3 + bandwidth + 2 * 3 * 2e-6, offset(1e-12));
            PlacementPlan overlapped = after.withOptions(PlanOptions.NONE.withOverlapGradientReduce(true));
            assertThat(Lowering.lower(g, c, overlapped).programs().get(0).instructions())
                    .filteredOn(i -> i instanceof AllReduce).extracting(i -> ((AllReduce) i).buckets()).containsExactly(2);
            double reduce = bandwidth + 2 * (2 * 3 * 2e-6);
            // the first bucket holds op1's gradients, complete once B1 is half done (10 ms); 4 MB: it is done long before
            // the backward ends, the last bucket follows it (12 ms + D/2); 400 MB: the reduction outlasts the backward
            // (10 ms + D)
            assertThat(Simulator.simulate(g, c, overlapped, options).stepSeconds())
                    .isCloseTo(Math.max(10e-3 + reduce, 12e-3 + reduce / 2), offset(1e-12));
        }
    }

    /**
     * Three ops of 100 MB of gradients (one bucket each, 1.5 ms + 6 latencies of 2 us a ring) on 4 replicas, a backward of
     * 1 ms an op from 3 ms: the buckets are ready at 4, 5 and 6 ms, but each ring outlasts the backward's next op, so they
     * queue: the last one ends three rings after the first starts, 4 ms + 3 rings, two rings after the backward.
     */
    @Test
    void bucketsWhoseRingsOutlastTheBackwardQueueBehindIt() {
        ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(100e9, 2e-6), new LinkProfile(10e9, 5e-6));
        List<String> devices = List.of("n0g0", "n0g1", "n0g2", "n0g3");
        ComputationGraph g = Fixtures.chain(3, 1e-3, 1e-3, 0, 100_000_000, 0);
        PlacementPlan overlapped = new PlacementPlan(g.name(), "", c.name(), "", Precision.FP32, OptimizerKind.SGD, 4, 4, 1,
                Schedule.ONE_F_ONE_B, 1, List.of(new Stage(0, devices, List.of("op0", "op1", "op2"), false)),
                PlanOptions.NONE.withOverlapGradientReduce(true));
        assertThat(Lowering.lower(g, c, overlapped).programs().get(0).instructions())
                .filteredOn(i -> i instanceof AllReduce).extracting(i -> ((AllReduce) i).buckets()).containsExactly(3);
        double ring = 2 * 3 / 4.0 * 100e6 / 100e9 + 2 * 3 * 2e-6;
        SimulationOptions options = SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel());
        assertThat(Simulator.simulate(g, c, overlapped, options).stepSeconds()).isCloseTo(4e-3 + 3 * ring, offset(1e-12));
    }

    /**
     * Two ops of 4 MB of gradients on one stage of 4 replicas: overlapped, each op's gradients are one bucket (a bucket
     * closes at 256 KiB and never splits an op's), so the reduction is two rings that pay 2(n-1) latencies each and move
     * the same bytes as one; after the backward it is one ring.
     */
    @Test
    void anOverlappedReductionPaysTheLatenciesOfEachBucket() {
        ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(100e9, 2e-6), new LinkProfile(10e9, 5e-6));
        List<String> devices = List.of("n0g0", "n0g1", "n0g2", "n0g3");
        ComputationGraph g = Fixtures.chain(2, 0, 0, 0, PARAM_BYTES, 0);
        PlacementPlan after = new PlacementPlan(g.name(), "", c.name(), "", Precision.FP32, OptimizerKind.SGD, 4, 4, 1,
                Schedule.ONE_F_ONE_B, 1, List.of(new Stage(0, devices, List.of("op0", "op1"), false)));
        SimulationOptions options = SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel());
        double bandwidth = 2 * 3 / 4.0 * 2 * PARAM_BYTES / 100e9;
        assertThat(Simulator.simulate(g, c, after, options).stepSeconds()).isCloseTo(bandwidth + 2 * 3 * 2e-6, offset(1e-15));
        PlacementPlan overlapped = after.withOptions(PlanOptions.NONE.withOverlapGradientReduce(true));
        assertThat(Simulator.simulate(g, c, overlapped, options).stepSeconds())
                .isCloseTo(bandwidth + 2 * (2 * 3 * 2e-6), offset(1e-15));
        assertThat(Lowering.lower(g, c, overlapped).programs().get(0).instructions())
                .filteredOn(i -> i instanceof AllReduce)
                .extracting(i -> ((AllReduce) i).buckets()).containsExactly(2);
    }

    @Test
    void collectiveFormulas() {
        ClusterSpec c = Fixtures.cluster(1, 8, new LinkProfile(50e9, 1e-6), new LinkProfile(10e9, 5e-6));
        List<String> group = List.of("n0g0", "n0g1", "n0g2", "n0g3", "n0g4", "n0g5", "n0g6", "n0g7");
        ZeroOptimizerCostModel m = new ZeroOptimizerCostModel();
        assertThat(m.allGatherSeconds(c, group, 800)).isCloseTo(7 / 8.0 * 800 / 50e9 + 7e-6, offset(1e-18));
        assertThat(m.reduceScatterSeconds(c, group, 800)).isCloseTo(7 / 8.0 * 800 / 50e9 + 7e-6, offset(1e-18));
        assertThat(m.allReduceSeconds(c, List.of("n0g0"), 800)).isZero();
        assertThat(m.transferSeconds(c, "n0g0", "n0g1", 1000)).isCloseTo(1e-6 + 1000 / 50e9, offset(1e-18));
    }
}
