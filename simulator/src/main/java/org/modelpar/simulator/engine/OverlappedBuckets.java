package org.modelpar.simulator.engine;

import java.util.Arrays;

/**
 * The buckets of the collectives that overlap the backward after them ({@link CompiledProgram#tailGate},
 * {@link org.modelpar.simulator.program.Collective#awaitsNextBackward}; PyTorch DDP's bucketed reduction, Li et al.,
 * VLDB 2020, section 3.2.3). A collective of {@code k} buckets runs them one after another, each one ring of its own
 * ({@code 1/k} of its bytes, latencies and host work), as a device's communication thread does: bucket {@code j} (from
 * 0) once every member's backward has done {@code (j+1)/k} of its work (the backward completes the stage's gradients
 * at an even pace, its last ops' first, and a bucket is ready when its last gradient is) and the bucket before it has
 * ended on every member; the last bucket, which holds the gradients the backward completes last, once every member's
 * backward has ended. To see that progress the engine runs each backward that gates such a collective in pieces, as
 * many as the most buckets of a collective it gates ({@link #pieceSeconds}).
 */
final class OverlappedBuckets {
    private static final int[] NONE = new int[0];
    private final CompiledProgram c;
    /** Per backward: the overlapped collectives it gates (null when it gates none). */
    private final int[][] gated;
    /** Per backward: the pieces it runs in (0 when it gates nothing) and those done. */
    private final int[] pieces;
    private final int[] piecesDone;
    /** Per collective: whether it overlaps a backward, whether every member has begun it, its next bucket, a bucket running. */
    private final boolean[] overlapped;
    private final boolean[] begun;
    private final int[] next;
    private final boolean[] running;
    /** Per collective: the members whose run of the current bucket (transfer and host work) has ended. */
    private final int[] finished;

    OverlappedBuckets(CompiledProgram c) {
        this.c = c;
        int n = c.collectiveCount;
        this.overlapped = new boolean[n];
        this.begun = new boolean[n];
        this.next = new int[n];
        this.running = new boolean[n];
        this.finished = new int[n];
        if (c.tailGate == null) { // no allocation per simulation for plans without overlapped collectives
            this.gated = null;
            this.pieces = null;
            this.piecesDone = null;
            return;
        }
        this.gated = new int[c.count][];
        this.pieces = new int[c.count];
        this.piecesDone = new int[c.count];
        for (int coll = 0; coll < n; coll++) {
            for (int m : c.collectiveMembers[coll]) {
                int b = c.tailGate[m];
                if (b >= 0) {
                    overlapped[coll] = true;
                    pieces[b] = Math.max(pieces[b], c.collectiveRings[coll]);
                    gated[b] = gated[b] == null ? new int[] {coll} : append(gated[b], coll);
                }
            }
        }
    }

    private static int[] append(int[] a, int v) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    /** Whether collective {@code coll} overlaps the backward after it, in buckets. */
    boolean overlapped(int coll) {
        return overlapped[coll];
    }

    /** The share of collective {@code coll}'s bytes, latencies and host work one of its runs moves. */
    double share(int coll) {
        return overlapped[coll] ? 1.0 / c.collectiveRings[coll] : 1;
    }

    /** The overlapped collectives backward {@code g} gates. */
    int[] gatedBy(int g) {
        return gated == null || gated[g] == null ? NONE : gated[g];
    }

    /** Device-seconds of each piece of compute instruction {@code g}: all of them for one that gates no collective. */
    double pieceSeconds(int g) {
        return pieces == null || pieces[g] == 0 ? c.seconds[g] : c.seconds[g] / pieces[g];
    }

    /** Compute instruction {@code g} has ended a piece: whether pieces remain (its progress now counts for its buckets). */
    boolean piecesRemain(int g) {
        return pieces != null && pieces[g] > 0 && ++piecesDone[g] < pieces[g];
    }

    /** Every member has begun overlapped collective {@code coll}. */
    void begin(int coll) {
        begun[coll] = true;
    }

    /**
     * Starts {@code coll}'s next bucket if it may run now (every member has begun it, no bucket of it runs, and every
     * member's backward is far enough, {@code end} saying which instructions have ended); returns whether it did.
     */
    boolean tryStart(int coll, double[] end) {
        int k = c.collectiveRings[coll];
        if (!begun[coll] || running[coll] || next[coll] >= k) {
            return false;
        }
        for (int m : c.collectiveMembers[coll]) {
            int b = c.tailGate[m];
            boolean ready = end[b] >= 0 || next[coll] < k - 1 && piecesDone[b] * (long) k >= (next[coll] + 1L) * pieces[b];
            if (!ready) {
                return false;
            }
        }
        running[coll] = true;
        return true;
    }

    /** Whether the bucket {@code coll} runs is its last one. */
    boolean runningLast(int coll) {
        return running[coll] && next[coll] == c.collectiveRings[coll] - 1;
    }

    /** A member's run of {@code coll}'s current bucket has ended: whether every member's has (the next may start). */
    boolean finish(int coll) {
        if (++finished[coll] < c.collectiveMembers[coll].length) {
            return false;
        }
        finished[coll] = 0;
        running[coll] = false;
        next[coll]++;
        return true;
    }
}
