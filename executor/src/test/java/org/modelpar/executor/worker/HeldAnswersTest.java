package org.modelpar.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeldAnswersTest {
    @Test
    void aReportIsAnsweredOnceItsStepIsReleased() {
        HeldAnswers held = new HeldAnswers(5);
        Answered step5 = new Answered();
        Answered step6 = new Answered();
        held.hold(5, 0, step5);
        held.hold(6, 0, step6);
        held.release(5);
        assertThat(step5.value()).contains("");
        assertThat(step6.pending()).isTrue();
        Answered late = new Answered();
        held.hold(5, 1, late);
        assertThat(late.value()).contains("");
    }

    @Test
    void aTakenAnswerIsTheCallersToGive() {
        HeldAnswers held = new HeldAnswers(0);
        Answered rank1 = new Answered();
        held.hold(0, 1, rank1);
        assertThat(held.take(0, 0)).isEmpty();
        assertThat(held.take(0, 1)).containsSame(rank1);
        held.release(0);
        assertThat(rank1.pending()).isTrue();
    }

    @Test
    void aStoppedRunAnswersEveryHeldReportAndEveryLaterOneAtOnce() {
        HeldAnswers held = new HeldAnswers(0);
        Answered waiting = new Answered();
        held.hold(3, 0, waiting);
        held.releaseAll();
        Answered later = new Answered();
        held.hold(4, 1, later);
        assertThat(waiting.value()).contains("");
        assertThat(later.value()).contains("");
    }
}
