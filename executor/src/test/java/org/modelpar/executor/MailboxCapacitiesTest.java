package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.StepProgram;

/**
 * A device's mailbox holds its receives of a step plus two ring chunks for every ring it belongs to: rings run
 * independently (a data-parallel peer may start its all-reduce while this device still waits inside a
 * tensor-parallel one), so one ring's early chunks must never take the room another's chunk needs.
 */
class MailboxCapacitiesTest {
    @Test
    void everyRingOfADeviceHasRoomForTwoChunks() {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        PlacementPlan plan = Plans.tensorParallel(graph, 2, 2, 2, Schedule.ONE_F_ONE_B);
        StepProgram program = Plans.lower(graph, plan);
        Map<String, Integer> capacities = MailboxCapacities.of(program);
        for (DeviceProgram p : program.programs()) {
            long receives = p.instructions().stream().filter(i -> i instanceof Recv).count();
            long allReduces = p.instructions().stream().filter(i -> i instanceof AllReduce).count();
            assertThat(allReduces).as("gradients and the tied embedding on %s", p.device()).isPositive();
            // the tensor-parallel ring, each all-reduce's ring, and the two chunks a ring member may run ahead
            assertThat(capacities.get(p.device())).as(p.device()).isEqualTo((int) (receives + 2 + 2 * (1 + allReduces)));
        }
    }

    @Test
    void aSingleDeviceWithoutPeersNeedsOnlyTheBase() {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        StepProgram program = Plans.lower(graph, Plans.tensorParallel(graph, 1, 1, 1, Schedule.GPIPE));
        assertThat(MailboxCapacities.of(program).values()).containsOnly(2);
    }
}
