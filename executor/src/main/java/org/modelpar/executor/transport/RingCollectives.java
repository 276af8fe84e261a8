package org.modelpar.executor.transport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Collectives built on point-to-point messages of any {@link Transport}, with the algorithms the
 * simulator's cost model prices ({@code CostModel.allReduceSeconds}: the ring of Patarasuk and Yuan,
 * "Bandwidth optimal all-reduce algorithms for clusters of workstations", JPDC 2009). A tensor of S bytes
 * is cut into n chunks; reduce-scatter and all-gather each take n - 1 ring steps in which every member
 * sends one chunk to its successor and receives one from its predecessor, so each moves
 * {@code (n-1)/n S} bytes and the all-reduce {@code 2(n-1)/n S}. Chunk c is summed along the ring in a
 * fixed order whatever the timing, and its sum is computed once and then copied, so every member ends
 * with bit-identical values and the result is the same over every transport.
 *
 * <p>Every member of {@code ring} (device ids, in ring order) calls the same method with the same
 * {@code id}, which must be unique within the run for concurrent collectives. The ring steps are timed on the given
 * clock ({@link #takeSamples}, {@link CollectiveSamples}), what the calibrated prediction prices a step by; the clock must
 * be one the members share (the first step of a collective compares a member's reading with its predecessor's).
 */
public final class RingCollectives {
    /**
     * The tensor of a collective's first message that carries its sender's clock at the step's start, in nanoseconds
     * (a double: exact to 256 ns on a clock counted from the epoch).
     */
    static final String SENT_AT = "sent at";
    private final Transport transport;
    /** The flat buffers of {@link #allReduce}, reused. */
    private final PooledArrays flats = new PooledArrays();
    private final LongSupplier nanos;
    /** The calls' ring steps since the last {@link #takeSamples}. */
    private final TreeMap<String, CollectiveSamples> sampled = new TreeMap<>();
    /** How often each member sampled each call key since the last {@link #takeSamples}. */
    private final Map<String, Integer> occurrences = new HashMap<>();

    /** Collectives over {@code transport}, their ring steps timed by the system's monotonic clock. */
    public RingCollectives(Transport transport) {
        this(transport, System::nanoTime);
    }

    /** Collectives over {@code transport}, their ring steps timed by {@code nanos}. */
    public RingCollectives(Transport transport, LongSupplier nanos) {
        this.transport = transport;
        this.nanos = nanos;
    }

    /**
     * The ring steps timed since the last call, each call's on its slowest member in this process ({@link CallSamples}:
     * a call ends when its last member's steps do; members in other processes are joined by their coordinator).
     */
    public synchronized CallSamples takeSamples() {
        CallSamples out = new CallSamples(sampled);
        sampled.clear();
        occurrences.clear();
        return out;
    }

    /** Keeps a call's samples; a member's n-th call of one id since the last {@link #takeSamples} is call n of that id. */
    private synchronized void sample(CollectiveSamples samples, String self, List<String> ring, String id) {
        String key = CallSamples.key(ring, id);
        int n = occurrences.merge(self + '\u0000' + key, 1, Integer::sum);
        sampled.merge(n == 1 ? key : key + " #" + n, samples, CallSamples::slower);
    }

    /**
     * Sums each named tensor over the ring in place. The tensors (of one type) are copied in name order into one
     * flat buffer, reused from collective to collective, so one collective moves all of them.
     */
    public void allReduce(String id, String self, List<String> ring, Map<String, INDArray> tensors, Waits waits)
            throws InterruptedException {
        if (ring.size() == 1) {
            return;
        }
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            Map<String, INDArray> sorted = new TreeMap<>(tensors);
            INDArray first = sorted.values().iterator().next();
            INDArray flat = flats.take(first.dataType(), new long[] {sorted.values().stream().mapToLong(INDArray::length).sum()});
            try {
                long offset = 0;
                for (INDArray t : sorted.values()) {
                    flats.interval(flat, offset, offset + t.length()).assign(t.reshape(t.length()));
                    offset += t.length();
                }
                int n = ring.size();
                int me = rank(self, ring);
                CallClock clock = new CallClock();
                ringSteps(id + " rs", self, ring, List.of(flat), s -> Math.floorMod(me - s - 1, n), true, clock, waits);
                ringSteps(id + " ag", self, ring, List.of(flat), s -> Math.floorMod(me - s, n), false, clock, waits);
                sample(clock.samples(), self, ring, id);
                offset = 0;
                for (INDArray t : sorted.values()) {
                    t.assign(flats.interval(flat, offset, offset + t.length()).reshape(t.shape()));
                    offset += t.length();
                }
            } finally {
                flats.release(List.of(flat));
            }
        }
    }

    /** A flat buffer from {@link #allReduce}'s pool, contents undefined (ZeRO's packing); {@link #giveBack} once unpacked. */
    public INDArray lendFlat(DataType type, long length) {
        return flats.take(type, new long[] {length});
    }

    /** Takes back a buffer of {@link #lendFlat}. */
    public void giveBack(INDArray flat) {
        flats.release(List.of(flat));
    }

    /** Flat buffers the pool has allocated so far (constant once the steps repeat). */
    long flatAllocations() {
        return flats.allocations();
    }

    /**
     * Reduce-scatter of a flat vector: afterwards member i's chunk i holds the sum over the ring (other
     * chunks hold partial sums). Chunk c is elements {@code [c L / n, (c + 1) L / n)}.
     */
    public void reduceScatter(String id, String self, List<String> ring, INDArray flat, Waits waits)
            throws InterruptedException {
        int n = ring.size();
        int me = rank(self, ring);
        onePass(id + " rs", self, ring, List.of(flat), s -> Math.floorMod(me - s - 1, n), true, waits);
    }

    /** All-gather of a flat vector: member i contributes its chunk i; afterwards every member holds all chunks. */
    public void allGather(String id, String self, List<String> ring, INDArray flat, Waits waits)
            throws InterruptedException {
        allGather(id, self, ring, List.of(flat), waits);
    }

    /**
     * All-gather of several flat vectors in one ring (a ZeRO-3 unit's tensors, as FSDP gathers a unit's flat parameter):
     * member i contributes chunk i of each; a ring step's message carries the chunk of every vector, so the
     * collective pays the ring's n - 1 latencies once, not once per vector, and nothing is copied into a packed buffer.
     */
    public void allGather(String id, String self, List<String> ring, List<INDArray> flats, Waits waits)
            throws InterruptedException {
        int n = ring.size();
        int me = rank(self, ring);
        onePass(id + " ag", self, ring, flats, s -> Math.floorMod(me - s, n), false, waits);
    }

    /**
     * Broadcast from {@code root} along the ring, pipelined by chunk: each member but the last forwards a
     * chunk to its successor as soon as it has it, so the last member has everything after {@code 2n - 2}
     * chunk times instead of {@code n - 1} whole copies.
     */
    public void broadcast(String id, String self, List<String> ring, String root, INDArray flat, Waits waits)
            throws InterruptedException {
        int n = ring.size();
        int pos = Math.floorMod(rank(self, ring) - rank(root, ring), n);
        String next = ring.get((rank(self, ring) + 1) % n);
        String prev = ring.get(Math.floorMod(rank(self, ring) - 1, n));
        for (int c = 0; c < n; c++) {
            INDArray chunk = chunk(flat, c, n);
            if (chunk == null) {
                continue;
            }
            if (pos > 0) {
                receiveInto(new Message.Key(prev, self, id + " bc" + c), chunk, false, waits);
            }
            if (pos < n - 1) {
                transport.send(Message.of(new Message.Key(self, next, id + " bc" + c), Map.of("t", chunk)), waits);
            }
        }
    }

    /**
     * All-to-all: {@code parts.get(j)} goes to member j; returns what each member sent to this one, by
     * member index (this member's own part is returned as given).
     */
    public List<INDArray> allToAll(String id, String self, List<String> ring, List<INDArray> parts, Waits waits)
            throws InterruptedException {
        int n = ring.size();
        int me = rank(self, ring);
        if (parts.size() != n) {
            throw new IllegalArgumentException("all-to-all " + id + " needs " + n + " parts, got " + parts.size());
        }
        for (int s = 1; s < n; s++) {
            int to = (me + s) % n;
            transport.send(Message.of(new Message.Key(self, ring.get(to), id + " a2a"), Map.of("t", parts.get(to))), waits);
        }
        List<INDArray> out = new ArrayList<>();
        for (int from = 0; from < n; from++) {
            if (from == me) {
                out.add(parts.get(me));
                continue;
            }
            Message m = transport.receive(new Message.Key(ring.get(from), self, id + " a2a"), waits);
            INDArray t = m.tensors().get("t");
            out.add(t.dup());
            transport.release(List.of(t));
        }
        return out;
    }

    private interface ChunkAt {
        int at(int step);
    }

    /** A collective call of one pass ({@link #ringSteps}), its steps sampled. */
    private void onePass(String id, String self, List<String> ring, List<INDArray> flats, ChunkAt sent, boolean add,
                         Waits waits) throws InterruptedException {
        CallClock clock = new CallClock();
        ringSteps(id, self, ring, flats, sent, add, clock, waits);
        sample(clock.samples(), self, ring, id);
    }

    /**
     * n - 1 steps: send chunk {@code sent.at(s)} to the successor, receive chunk {@code sent.at(s) - 1} from the
     * predecessor, add or copy it in. Every message carries the sender's clock at its step's start ({@link #SENT_AT});
     * {@code clock} keeps the steps' readings ({@link CallClock}), its call's first step the first it is given.
     */
    private void ringSteps(String id, String self, List<String> ring, List<INDArray> flats, ChunkAt sent, boolean add,
                           CallClock clock, Waits waits) throws InterruptedException {
        int n = ring.size();
        int me = rank(self, ring);
        String next = ring.get((me + 1) % n);
        String prev = ring.get(Math.floorMod(me - 1, n));
        for (int s = 0; s < n - 1; s++) {
            long start = nanos.getAsLong();
            Map<String, INDArray> out = chunks(flats, sent.at(s), n);
            if (!out.isEmpty()) {
                transport.send(Message.of(new Message.Key(self, next, id + s), stamped(out, start)), waits);
            }
            Map<String, INDArray> in = chunks(flats, Math.floorMod(sent.at(s) - 1, n), n);
            if (!in.isEmpty()) {
                Message m = transport.receive(new Message.Key(prev, self, id + s), waits);
                long end = nanos.getAsLong();
                long peerStart = m.tensors().containsKey(SENT_AT) ? (long) m.tensors().get(SENT_AT).getDouble(0) : -1;
                clock.step(start, peerStart, end, bytes(in));
                in.forEach((name, target) -> apply(m.tensors().get(name), target, add));
                transport.release(m.tensors().values());
            }
        }
    }

    /** Chunk c of n of each flat vector, named by its position ({@code t0}, {@code t1}, ...); empty chunks left out. */
    private Map<String, INDArray> chunks(List<INDArray> buffers, int c, int n) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < buffers.size(); i++) {
            INDArray chunk = chunk(buffers.get(i), c, n);
            if (chunk != null) {
                out.put("t" + i, chunk);
            }
        }
        return out;
    }

    private static double bytes(Map<String, INDArray> chunks) {
        return chunks.values().stream().mapToDouble(t -> (double) t.length() * t.dataType().width()).sum();
    }

    /** {@code chunks} and the sender's clock at the step's start ({@link #SENT_AT}). */
    private static Map<String, INDArray> stamped(Map<String, INDArray> chunks, long clockNanos) {
        Map<String, INDArray> out = new LinkedHashMap<>(chunks);
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            out.put(SENT_AT, Nd4j.createFromArray((double) clockNanos));
        }
        return out;
    }

    private void receiveInto(Message.Key key, INDArray target, boolean add, Waits waits) throws InterruptedException {
        Message m = transport.receive(key, waits);
        apply(m.tensors().get("t"), target, add);
        transport.release(m.tensors().values());
    }

    /** Adds (or copies) a received chunk into {@code target}. */
    private static void apply(INDArray received, INDArray target, boolean add) {
        if (add) {
            target.addi(received);
        } else {
            target.assign(received);
        }
    }

    /** Chunk c of n of a flat vector, or null when it is empty (fewer elements than members). */
    private INDArray chunk(INDArray flat, int c, int n) {
        long from = c * flat.length() / n;
        long to = (c + 1) * flat.length() / n;
        return from == to ? null : flats.interval(flat, from, to);
    }

    private static int rank(String device, List<String> ring) {
        int i = ring.indexOf(device);
        if (i < 0) {
            throw new IllegalArgumentException("device " + device + " is not in the ring " + ring);
        }
        return i;
    }
}
