package org.modelpar.simulator.program;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InstructionStreamTest {
    @Test
    void computeFreeAndOptimizerRunOnTheComputeStreamAndMoveNoBytes() {
        for (Instruction i : List.of(new Compute(0, 1, Direction.FORWARD, false), new Compute(0, 1, Direction.BACKWARD, true),
                new Free(0, 1), new OptimizerStep(0))) {
            assertThat(i.stream()).as(i.name()).isEqualTo(Stream.COMPUTE);
            assertThat(i.bytes()).as(i.name()).isZero();
        }
    }

    @Test
    void sendRecvAndAllReduceRunOnTheCommunicationStreamWithTheirBytes() {
        assertThat(new Send(0, 1, 2, Payload.ACTIVATION, "b", 4096, 0, 8).stream()).isEqualTo(Stream.COMMUNICATION);
        assertThat(new Send(0, 1, 2, Payload.ACTIVATION, "b", 4096, 0, 8).bytes()).isEqualTo(4096);
        assertThat(new Recv(1, 0, 2, Payload.GRADIENT, "a", 2048, 0, 8).stream()).isEqualTo(Stream.COMMUNICATION);
        assertThat(new Recv(1, 0, 2, Payload.GRADIENT, "a", 2048, 0, 8).bytes()).isEqualTo(2048);
        assertThat(new AllReduce(0, List.of("a", "b"), 1 << 20).stream()).isEqualTo(Stream.COMMUNICATION);
        assertThat(new AllReduce(0, List.of("a", "b"), 1 << 20, "embed").bytes()).isEqualTo(1 << 20);
    }
}
