package org.modelpar.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class JoinBarrierTest {
    @Test
    void everyRankIsAnsweredWithEveryAddressOnceAllHaveJoined() {
        JoinBarrier joins = new JoinBarrier(2);
        Answered second = new Answered();
        Answered first = new Answered();
        assertThat(joins.join(JoinBarrier.request(1, 2, "10.0.0.2:4001"), second)).isEmpty();
        assertThat(second.pending()).isTrue();
        assertThat(joins.address(1)).isEqualTo("10.0.0.2:4001");
        assertThat(joins.address(0)).isEqualTo("not yet joined");
        assertThat(joins.join(JoinBarrier.request(0, 2, "10.0.0.1:4000"), first)).isEmpty();
        assertThat(first.value()).contains("10.0.0.1:4000\n10.0.0.2:4001");
        assertThat(second.value()).contains("10.0.0.1:4000\n10.0.0.2:4001");
    }

    @Test
    void aJoinOfAnotherWorldSizeAnOutsideRankOrATakenRankIsRefused() {
        JoinBarrier joins = new JoinBarrier(2);
        Answered wrongWorld = new Answered();
        assertThat(joins.join(0, 4, "h:1", wrongWorld))
                .contains("world size is 4 but the plan has 2 devices (one worker process per device)");
        assertThat(wrongWorld.error()).map(Status::getCode).contains(Status.Code.INVALID_ARGUMENT);
        assertThat(joins.join(2, 2, "h:1", new Answered())).contains("rank 2 outside [0, 2)");
        Answered kept = new Answered();
        assertThat(joins.join(1, 2, "h:1", kept)).isEmpty();
        assertThat(joins.join(1, 2, "h:2", new Answered())).contains("rank 1 joined twice (h:1, h:2)");
        assertThat(kept.pending()).isTrue();
    }

    @Test
    void aStoppedRunAnswersTheWaitingRanksAndEveryLaterJoinWithItsFailure() {
        JoinBarrier joins = new JoinBarrier(2);
        Answered waiting = new Answered();
        joins.join(0, 2, "h:1", waiting);
        joins.abort("device cpu1 failed");
        Answered late = new Answered();
        assertThat(joins.join(1, 2, "h:2", late)).isEmpty();
        for (Answered a : new Answered[] {waiting, late}) {
            assertThat(a.error()).map(s -> s.getCode() + " " + s.getDescription()).contains("ABORTED device cpu1 failed");
        }
    }
}
