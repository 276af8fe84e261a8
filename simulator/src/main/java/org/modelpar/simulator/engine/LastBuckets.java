package org.modelpar.simulator.engine;

import java.util.Arrays;

/**
 * The last buckets of the collectives that overlap the backward after them ({@link CompiledProgram#tailGate},
 * {@link org.modelpar.simulator.program.Collective#awaitsNextBackward}; PyTorch DDP's bucketed
 * reduction, Li et al., VLDB 2020): such a collective of {@code k} buckets runs its first {@code k - 1} from the
 * backward's start, as if their gradients were ready then, and its last bucket, which holds the gradients the backward
 * completes last, once every member's backward has ended. Exact for one bucket, and for several as long as each
 * bucket's gradients are ready by the time the ring gets to it. The engine asks it what share of a collective a run
 * moves and whether a member whose run ended is done.
 */
final class LastBuckets {
    private static final int[] NONE = new int[0];
    private final CompiledProgram c;
    /** Per backward: the members of the overlapped collectives it gates (null when no collective overlaps one). */
    private final int[][] gated;
    /** Per member: whether its first buckets are done and it waits for its backward's end (null likewise). */
    private final boolean[] awaitsBackward;
    /** Per collective: whether it runs its last bucket, and the members ready for it. */
    private final boolean[] running;
    private final int[] ready;

    LastBuckets(CompiledProgram c) {
        this.c = c;
        this.running = new boolean[c.collectiveCount];
        this.ready = new int[c.collectiveCount];
        if (c.tailGate == null) { // no allocation per simulation for plans without overlapped collectives
            this.awaitsBackward = null;
            this.gated = null;
            return;
        }
        this.awaitsBackward = new boolean[c.count];
        this.gated = new int[c.count][];
        for (int g = 0; g < c.count; g++) {
            int b = c.tailGate[g];
            if (b >= 0) {
                gated[b] = gated[b] == null ? new int[] {g} : append(gated[b], g);
            }
        }
    }

    private static int[] append(int[] a, int v) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    /** The share of collective {@code coll}'s bytes, latencies and host work its current run moves (1 for others). */
    double share(int coll) {
        if (!overlapsBackward(c.collectiveMembers[coll][0])) {
            return 1;
        }
        int k = c.collectiveRings[coll];
        return running[coll] ? 1.0 / k : (k - 1.0) / k;
    }

    /** Whether member {@code g}, whose run just ended, is done: not when its last bucket is still to run. */
    boolean done(int g) {
        return !overlapsBackward(g) || running[c.partner[g]];
    }

    private boolean overlapsBackward(int g) {
        return c.tailGate != null && c.tailGate[g] >= 0;
    }

    /** Member {@code g} waits for its backward, which has not ended yet. */
    void await(int g) {
        awaitsBackward[g] = true;
    }

    /** The members waiting for backward {@code g}, which has just ended. */
    int[] waitingFor(int g) {
        if (gated == null || gated[g] == null) {
            return NONE;
        }
        return Arrays.stream(gated[g]).filter(m -> awaitsBackward[m]).toArray();
    }

    /** Member {@code g}'s backward has ended: whether every member's has, so the last bucket starts now. */
    boolean readyForLast(int g) {
        int coll = c.partner[g];
        if (++ready[coll] < c.collectiveMembers[coll].length) {
            return false;
        }
        running[coll] = true;
        return true;
    }
}
