package org.modelpar.simulator.engine;

import java.util.Arrays;

/**
 * The dependency edges of a program being compiled, in a growable pair of arrays: an edge whose target is still -1
 * is open (a gate waiting for the next compute instruction). Becomes the program's successor lists (CSR).
 */
final class Edges {
    private int[] from = new int[1024];
    private int[] to = new int[1024];
    private int count;

    /** Adds an edge; {@code target} -1 leaves it open. */
    void add(int source, int target) {
        if (count == from.length) {
            from = Arrays.copyOf(from, count * 2);
            to = Arrays.copyOf(to, count * 2);
        }
        from[count] = source;
        to[count] = target;
        count++;
    }

    int count() {
        return count;
    }

    int source(int e) {
        return from[e];
    }

    void target(int e, int target) {
        to[e] = target;
    }

    /** Swaps edges {@code a} and {@code b} (keeps the open ones together at the end). */
    void swap(int a, int b) {
        int f = from[a];
        int t = to[a];
        from[a] = from[b];
        to[a] = to[b];
        from[b] = f;
        to[b] = t;
    }

    /** Fills the program's successor lists (CSR) from the edges with a target. */
    void successors(CompiledProgram c) {
        int n = c.count;
        int[] start = new int[n + 1];
        for (int e = 0; e < count; e++) {
            if (to[e] >= 0) {
                start[from[e] + 1]++;
            }
        }
        for (int i = 0; i < n; i++) {
            start[i + 1] += start[i];
        }
        int[] fill = Arrays.copyOf(start, n);
        int[] succ = new int[start[n]];
        for (int e = 0; e < count; e++) {
            if (to[e] >= 0) {
                succ[fill[from[e]]++] = to[e];
            }
        }
        c.successorStart = start;
        c.successors = succ;
    }
}
