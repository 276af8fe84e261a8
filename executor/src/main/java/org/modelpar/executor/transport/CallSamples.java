package org.modelpar.executor.transport;

import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The ring steps of a training step's collective calls, each call's as its slowest member timed them
 * ({@link CallClock}). A call ends when its last member's ring steps do, and which member that is changes from call to
 * call: the member that arrives at a call last times its steps in full, the other finds its chunks partly moved
 * already, and a tensor-parallel group's members take turns at arriving last. So the step's collectives run on the
 * slowest member of each call ({@link #critical}), not on the member slowest over the whole step. Timed call by call on
 * the small gpt's tensor degree 2 on two worker processes (20 all-reduces a step), from the later member's arrival to
 * the later member's end a call took 1.76 ms on average, where each member's own calls took 1.40 and 1.24 ms: priced
 * by the member slowest over the step, the step's collectives came out 7 ms short of its 70 ms.
 *
 * @param calls each call's samples by its key ({@link #key}: the ring and the call's id)
 */
public record CallSamples(SortedMap<String, CollectiveSamples> calls) {
    /** No calls. */
    public static final CallSamples NONE = new CallSamples(new TreeMap<>());
    /** Bytes a call takes at least in {@link #write}: its key's length, six numbers. */
    private static final int MIN_CALL_BYTES = 2 + 6 * Long.BYTES;

    public CallSamples {
        calls = Collections.unmodifiableSortedMap(new TreeMap<>(calls));
    }

    /** One call's samples. */
    public static CallSamples of(String key, CollectiveSamples samples) {
        return new CallSamples(new TreeMap<>(Map.of(key, samples)));
    }

    /** The key of call {@code id} over {@code ring}: ids are unique per ring within a step, not across rings. */
    public static String key(List<String> ring, String id) {
        return String.join(",", ring) + " " + id;
    }

    /** These calls and {@code other}'s; a call both timed keeps the slower member's samples ({@link #slower}). */
    public CallSamples plus(CallSamples other) {
        TreeMap<String, CollectiveSamples> out = new TreeMap<>(calls);
        other.calls.forEach((k, v) -> out.merge(k, v, CallSamples::slower));
        return new CallSamples(out);
    }

    /** The member whose ring steps of one call took longer; the first of equals. */
    static CollectiveSamples slower(CollectiveSamples a, CollectiveSamples b) {
        return b.seconds() > a.seconds() ? b : a;
    }

    /** The ring steps the step's collectives ran on their critical path: every call's slowest member's, summed. */
    public CollectiveSamples critical() {
        return calls.values().stream().reduce(CollectiveSamples.NONE, CollectiveSamples::plus);
    }

    /** Writes the calls, as {@link #read} reads them. */
    public void write(DataOutput out) throws IOException {
        out.writeInt(calls.size());
        for (var e : calls.entrySet()) {
            CollectiveSamples s = e.getValue();
            out.writeUTF(e.getKey());
            out.writeLong(s.steps());
            out.writeDouble(s.seconds());
            out.writeDouble(s.bytes());
            out.writeLong(s.wakes());
            out.writeDouble(s.wakeSeconds());
            out.writeDouble(s.wakeBytes());
        }
    }

    /**
     * Reads what {@link #write} wrote.
     *
     * @throws IOException              when the count cannot fit in the bytes left, or the input ends early
     * @throws IllegalArgumentException when a call's samples are invalid
     */
    public static CallSamples read(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available() / MIN_CALL_BYTES) {
            throw new IOException(n + " collective calls in " + in.available() + " bytes");
        }
        TreeMap<String, CollectiveSamples> calls = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            calls.put(in.readUTF(), new CollectiveSamples(in.readLong(), in.readDouble(), in.readDouble(), in.readLong(),
                    in.readDouble(), in.readDouble()));
        }
        return new CallSamples(calls);
    }
}
