package org.modelpar.executor.transport;

/**
 * One member's clock readings over one collective call's ring steps ({@link RingCollectives}), and the samples they
 * give ({@link CollectiveSamples}). The simulator starts a ring collective when its last member arrives and then runs
 * its steps back to back, each member's work between them (adding or copying the chunk it received) priced apart; so
 * the call's ring time runs from the later of the member's and its predecessor's first sends (the predecessor's clock
 * travels with its first chunk) to the first arrival, then from each later send to its arrival, leaving out the
 * member's own work between an arrival and its next send. The member that started last times every step in full; the
 * one that started first finds later chunks partly moved already, so the slowest member's samples price the call
 * ({@link CallSamples}). Timed step by step from each send instead, the later member's second step
 * carried the two members' difference in arrival (mlp 4 x 256, data degree 2 on two worker processes: a 1.3 MB
 * all-reduce predicted 8.5 ms against 6.0 ms from the later start to the last end).
 */
final class CallClock {
    private long ringNanos;
    private long steps;
    private double bytes;
    private CollectiveSamples wakes = CollectiveSamples.NONE;

    /**
     * A ring step that received a chunk of {@code bytes}: this member sent at {@code sentNanos} (its step's start), the
     * chunk, sent by the predecessor at {@code peerSentNanos}, arrived at {@code arrivedNanos}; the call's first step is
     * the first given.
     */
    void step(long sentNanos, long peerSentNanos, long arrivedNanos, double bytes) {
        // a predecessor that sent before this member did, or a clock reading after the arrival (hosts' clocks apart): this
        // member did not wait for the chunk
        boolean waited = peerSentNanos >= sentNanos && peerSentNanos <= arrivedNanos;
        ringNanos += Math.max(0, arrivedNanos - (steps == 0 && waited ? peerSentNanos : sentNanos));
        steps++;
        this.bytes += bytes;
        wakes = wakes.plus(new CollectiveSamples(0, 0, 0, 1, waited ? (arrivedNanos - peerSentNanos) / 1e9 : 0,
                waited ? bytes : 0));
    }

    /** The call's samples: its ring steps (none without any) and their wakes. */
    CollectiveSamples samples() {
        return steps == 0 ? CollectiveSamples.NONE : new CollectiveSamples(steps, ringNanos / 1e9, bytes).plus(wakes);
    }
}
