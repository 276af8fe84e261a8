package org.modelpar.simulator.engine;

import org.modelpar.simulator.timeline.TimelineStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.StepProgram;

/** Transfers on hand-written programs: latency + S / bw, and max-min fair sharing of one link. */
class LinkSharingTest {
    private static final double BW = 10e9;
    private static final double LAT = 5e-6;
    private static final long S = 1_000_000;
    private final ClusterSpec cluster = Fixtures.cluster(2, 1, new LinkProfile(100e9, 1e-6), new LinkProfile(BW, LAT));
    private final ComputationGraph graph = Fixtures.chain(2, 0, 0, 0, 0, 0);
    private final PlacementPlan plan = Fixtures.plan(graph, cluster, List.of(List.of("n0g0"), List.of("n1g0")), 1, 2,
            Schedule.GPIPE, 1, false, Precision.FP32, OptimizerKind.SGD);
    private final PlanLayout layout = PlanValidator.validate(plan, graph, cluster);

    private StepRun run(long... sizes) {
        List<Instruction> sends = new ArrayList<>();
        List<Instruction> recvs = new ArrayList<>();
        for (int k = 0; k < sizes.length; k++) {
            sends.add(new Send(0, 1, k, Payload.ACTIVATION, "n1g0", sizes[k], 0, 1));
            recvs.add(new Recv(1, 0, k, Payload.ACTIVATION, "n0g0", sizes[k], 0, 1));
        }
        StepProgram program = new StepProgram(plan, List.of(new DeviceProgram("n0g0", 0, 0, 0, sends),
                new DeviceProgram("n1g0", 1, 0, 0, recvs)));
        return Engine.run(program, layout, cluster, new RooflineCostModel(), false);
    }

    @Test
    void oneTransferTakesLatencyPlusBytesOverBandwidth() {
        StepRun r = run(S);
        assertThat(r.timeline().spans().get(0).endSeconds()).isCloseTo(LAT + S / BW, offset(1e-15));
        assertThat(r.timeline().spans().get(1).endSeconds()).isEqualTo(r.timeline().spans().get(0).endSeconds());
        assertThat(TimelineStats.of(r.timeline()).stepSeconds()).isCloseTo(LAT + S / BW, offset(1e-15));
    }

    @Test
    void twoConcurrentTransfersOnOneLinkEachTakeTwiceAsLong() {
        StepRun r = run(S, S);
        assertThat(r.timeline().spans().get(0).endSeconds()).isCloseTo(LAT + 2 * S / BW, offset(1e-15));
        assertThat(r.timeline().spans().get(1).endSeconds()).isCloseTo(LAT + 2 * S / BW, offset(1e-15));
    }

    @Test
    void shorterTransferEndsFirstAndReleasesItsShare() {
        StepRun r = run(S, 3 * S);
        // both at BW/2 until the first ends at 2S/BW; the second then has 2S left at full BW
        assertThat(r.timeline().spans().get(0).endSeconds()).isCloseTo(LAT + 2 * S / BW, offset(1e-15));
        assertThat(r.timeline().spans().get(1).endSeconds()).isCloseTo(LAT + 4 * S / BW, offset(1e-15));
        assertThat(r.events()).isGreaterThanOrEqualTo(4);
    }
}
