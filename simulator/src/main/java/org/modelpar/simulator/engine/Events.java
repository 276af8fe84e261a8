package org.modelpar.simulator.engine;

/** Event payload encoding: 4 bits type, 28 bits version, 32 bits id. */
final class Events {
    static final int COMPUTE_END = 1;
    static final int FLOW_START = 2;
    static final int FLOW_END = 3;
    static final int COLLECTIVE_START = 4;
    /** A compute-stream instruction whose device a send held begins now. */
    static final int DEFERRED_BEGIN = 5;

    private Events() {
    }

    static long encode(int type, int version, int id) {
        return ((long) type << 60) | ((long) (version & 0x0FFFFFFF) << 32) | (id & 0xFFFFFFFFL);
    }

    static int type(long payload) {
        return (int) (payload >>> 60);
    }

    static int version(long payload) {
        return (int) ((payload >>> 32) & 0x0FFFFFFF);
    }

    static int id(long payload) {
        return (int) payload;
    }
}
