package org.modelpar.simulator.engine;

import java.util.Arrays;

/**
 * A binary min-heap of events ordered by time, then by insertion order (so equal times pop
 * deterministically, first scheduled first). Each event is a {@code long} payload; no allocation per event.
 */
final class EventQueue {
    private double[] times = new double[1024];
    private long[] orders = new long[1024];
    private long[] payloads = new long[1024];
    private int size;
    private long nextOrder;

    boolean isEmpty() {
        return size == 0;
    }

    void push(double time, long payload) {
        if (size == times.length) {
            int n = size * 2;
            times = Arrays.copyOf(times, n);
            orders = Arrays.copyOf(orders, n);
            payloads = Arrays.copyOf(payloads, n);
        }
        int i = size++;
        long order = nextOrder++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(time, order, times[parent], orders[parent])) {
                break;
            }
            set(i, times[parent], orders[parent], payloads[parent]);
            i = parent;
        }
        set(i, time, order, payload);
    }

    /** Time of the earliest event; the queue must not be empty. */
    double peekTime() {
        return times[0];
    }

    /** Removes the earliest event and returns its payload. */
    long pop() {
        long top = payloads[0];
        int last = --size;
        if (last > 0) {
            double t = times[last];
            long o = orders[last];
            long p = payloads[last];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= last) {
                    break;
                }
                if (c + 1 < last && less(times[c + 1], orders[c + 1], times[c], orders[c])) {
                    c++;
                }
                if (!less(times[c], orders[c], t, o)) {
                    break;
                }
                set(i, times[c], orders[c], payloads[c]);
                i = c;
            }
            set(i, t, o, p);
        }
        return top;
    }

    private void set(int i, double t, long o, long p) {
        times[i] = t;
        orders[i] = o;
        payloads[i] = p;
    }

    private static boolean less(double t1, long o1, double t2, long o2) {
        return t1 < t2 || (t1 == t2 && o1 < o2);
    }
}
