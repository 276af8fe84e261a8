package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modelpar.executor.transport.CallSamples;
import org.modelpar.executor.transport.CollectiveSamples;
import org.modelpar.executor.transport.GrpcTransport;
import org.modelpar.executor.transport.RingCollectives;
import org.modelpar.executor.transport.Transport;
import org.modelpar.executor.transport.Waits;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ring collectives on both transports, three members on threads (each member on its own gRPC server
 * on loopback): exact results on integer-valued floats, identical on every member.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingCollectivesTest {
    private static final List<String> RING = List.of("d0", "d1", "d2");
    private static final Waits WAITS = Waits.timeout(TimeUnit.SECONDS.toNanos(10));

    private interface Member {
        Object run(RingCollectives c, String self, int rank) throws Exception;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void allReduceSumsEveryTensorOnEveryMember(boolean grpc) throws Exception {
        List<Object> out = onEveryMember(grpc, (c, self, r) -> {
            Map<String, INDArray> t = new LinkedHashMap<>();
            t.put("w", Nd4j.create(new float[] {r, 10 * r, 100 * r, 1, 2, 3}, new long[] {2, 3}));
            t.put("b", Nd4j.createFromArray((float) r + 1)); // 7 elements over 3 chunks: uneven
            c.allReduce("step 0 allreduce s0", self, RING, t, WAITS);
            return t;
        });
        for (Object o : out) {
            @SuppressWarnings("unchecked")
            Map<String, INDArray> t = (Map<String, INDArray>) o;
            assertThat(t.get("w").data().asFloat()).containsExactly(3f, 30f, 300f, 3f, 6f, 9f);
            assertThat(t.get("b").getFloat(0)).isEqualTo(6f);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void reduceScatterAllGatherBroadcastAndAllToAll(boolean grpc) throws Exception {
        List<Object> out = onEveryMember(grpc, (c, self, r) -> {
            INDArray v = Nd4j.createFromArray(1f + r, 2f + r, 3f + r, 4f + r, 5f + r, 6f + r);
            c.reduceScatter("rs", self, RING, v, WAITS);
            float[] mine = v.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2L * r, 2L * r + 2)).toFloatVector();
            INDArray g = Nd4j.zeros(DataType.FLOAT, 6);
            g.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2L * r, 2L * r + 2)).assign(Nd4j.createFromArray(mine));
            c.allGather("ag", self, RING, g, WAITS);
            INDArray b = r == 1 ? Nd4j.createFromArray(7f, 8f, 9f, 10f) : Nd4j.zeros(DataType.FLOAT, 4);
            c.broadcast("bc", self, RING, "d1", b, WAITS);
            List<INDArray> parts = List.of(Nd4j.createFromArray(10f * r), Nd4j.createFromArray(10f * r + 1), Nd4j.createFromArray(10f * r + 2));
            List<INDArray> got = c.allToAll("a2a", self, RING, parts, WAITS);
            return List.of(mine, g.toFloatVector(), b.toFloatVector(), got.stream().map(x -> x.getFloat(0)).toList());
        });
        for (int r = 0; r < 3; r++) {
            List<?> o = (List<?>) out.get(r);
            float[] sums = {6f, 9f, 12f, 15f, 18f, 21f};
            assertThat((float[]) o.get(0)).containsExactly(sums[2 * r], sums[2 * r + 1]);
            assertThat((float[]) o.get(1)).containsExactly(sums);
            assertThat((float[]) o.get(2)).containsExactly(7f, 8f, 9f, 10f);
            assertThat(o.get(3)).isEqualTo(List.of((float) r, 10f + r, 20f + r));
        }
    }

    /**
     * Three vectors gathered in one ring (a ZeRO-3 unit's tensors): 6 floats (member r holds [2r, 2r + 2)), 3 floats
     * (member r holds element r) and 1 float (only member 2's chunk is not empty); every member ends with all of each,
     * and the collective is timed as its 2 ring steps, each one message with every vector's chunk, not 2 per vector.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void severalVectorsAreGatheredInOneRing(boolean grpc) throws Exception {
        List<Object> out = onEveryMember(grpc, (c, self, r) -> {
            INDArray a = Nd4j.zeros(DataType.FLOAT, 6);
            a.putScalar(2L * r, 10f * r + 1).putScalar(2L * r + 1, 10f * r + 2);
            INDArray b = Nd4j.zeros(DataType.FLOAT, 3).putScalar(r, 100f + r);
            INDArray one = Nd4j.zeros(DataType.FLOAT, 1);
            if (r == 2) {
                one.putScalar(0, 7f);
            }
            c.takeSamples();
            c.allGather("unit", self, RING, List.of(a, b, one), WAITS);
            return List.of(a.toFloatVector(), b.toFloatVector(), one.toFloatVector(), c.takeSamples().critical().steps());
        });
        for (Object o : out) {
            List<?> got = (List<?>) o;
            assertThat((float[]) got.get(0)).containsExactly(1f, 2f, 11f, 12f, 21f, 22f);
            assertThat((float[]) got.get(1)).containsExactly(100f, 101f, 102f);
            assertThat((float[]) got.get(2)).containsExactly(7f);
            assertThat(got.get(3)).isEqualTo(2L);
        }
    }

    /**
     * A call's ring steps are timed on the collectives' clock (here 1 us a reading, every member's reading the same at
     * the same step: they start together), its first from the later of the member's and its predecessor's sends (the
     * message's clock), each later one from its send to its arrival: an all-reduce of 7 floats over 3 members times its
     * 4 steps, whose chunks received are 2, 2 and 3 floats: all three and the one it receives first again, chunk
     * {@code r + 1}; an all-gather of 6 floats its 2, of 2 floats each. Every step found its member waiting (its
     * predecessor sent at the same reading), so each is also a wake of 1 us for the chunk it received.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCallsFirstStepIsTimedFromTheLaterSendTheOthersFromTheirOwn(boolean grpc) throws Exception {
        List<Object> out = onEveryMember(grpc, RING, r -> new long[] {0}, (c, self, r) -> {
            Map<String, INDArray> t = new LinkedHashMap<>();
            t.put("w", Nd4j.create(new float[] {r, 10 * r, 100 * r, 1, 2, 3}, new long[] {2, 3}));
            t.put("b", Nd4j.createFromArray((float) r + 1));
            c.takeSamples();
            c.allReduce("step 0 allreduce s0", self, RING, t, WAITS);
            CollectiveSamples allReduce = c.takeSamples().critical();
            c.allGather("ag", self, RING, Nd4j.zeros(DataType.FLOAT, 6), WAITS);
            return List.of(allReduce, c.takeSamples().critical(), c.takeSamples().critical());
        });
        int[] firstChunkFloats = {2, 3, 2};
        for (int r = 0; r < 3; r++) {
            List<?> samples = (List<?>) out.get(r);
            int bytes = 28 + 4 * firstChunkFloats[r];
            assertThat(samples.get(0)).isEqualTo(new CollectiveSamples(4, 4e-6, bytes, 4, 4e-6, bytes));
            assertThat(samples.get(1)).isEqualTo(new CollectiveSamples(2, 2e-6, 16, 2, 2e-6, 16));
            assertThat(samples.get(2)).isEqualTo(CollectiveSamples.NONE);
        }
    }

    /**
     * A reduce-scatter on two ranks is one ring step, its first: member d1 starts 3 us after d0 (clock readings d0 at
     * 0 and 5 us, d1 at 3 and 4 us), so d0 times the step from d1's start to d1's chunk's arrival, 2 us for its 2
     * floats, as the simulator's collective starts when its last member does, and d1, whose chunk from d0 was partly
     * there, from its own start, 1 us; d0's step is also a wake of 2 us (it waited for d1's send), d1's a wake of none.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aSingleStepIsTimedFromTheLaterMembersStart(boolean grpc) throws Exception {
        List<String> two = List.of("d0", "d1");
        List<Object> out = onEveryMember(grpc, two, r -> r == 0 ? new long[] {0, 5000} : new long[] {3000, 4000},
                (c, self, r) -> {
                    c.reduceScatter("rs", self, two, Nd4j.createFromArray(1f, 2f, 3f, 4f), WAITS);
                    return c.takeSamples().critical();
                });
        assertThat(out).containsExactly(new CollectiveSamples(1, 2e-6, 8, 1, 2e-6, 8), new CollectiveSamples(1, 1e-6, 8, 1, 0, 0));
    }

    /**
     * Two members of one process (worker threads) share its collectives, whose samples are each call's slowest member's:
     * in an all-reduce of 4 floats on two ranks d1 starts 3 us after d0 and its all-gather chunk arrives 4 us after both
     * send it. d0 times its reduce-scatter step from d1's start at 3 us to 5 us and its all-gather step 1 us, 3 us in
     * all; d1 its reduce-scatter step from its own start, 1 us, and its all-gather step 4 us, 5 us in all, which the
     * call keeps: the ring's last member ends with the later chain, 5 us after the later start; both all-gather
     * steps waited for their chunk (wakes of 1 and 4 us), d0's reduce-scatter too (2 us). A second call has the members'
     * readings swapped, so d0 is its slowest member: the step's collectives took 10 us, where the member slowest over
     * both calls took 8. The second call has the first's id (as a flag's all-reduce once per micro-batch would): it is
     * another call, not the same call timed again.
     */
    @Test
    @Timeout(30)
    void membersThatShareAProcessGiveEachCallsSlowestMembersSamples() throws Exception {
        List<String> two = List.of("d0", "d1");
        Map<String, long[]> readings = Map.of("d0", new long[] {0, 5000, 10_000, 11_000, 23_000, 24_000, 30_000, 34_000},
                "d1", new long[] {3000, 4000, 10_000, 14_000, 20_000, 25_000, 30_000, 31_000});
        Map<String, int[]> next = Map.of("d0", new int[1], "d1", new int[1]);
        ThreadLocal<String> member = new ThreadLocal<>();
        LongSupplier nanos = () -> readings.get(member.get())[next.get(member.get())[0]++];
        Transport transport = new InProcessTransport(Map.of("d0", 4, "d1", 4));
        RingCollectives shared = new RingCollectives(transport, nanos);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (String self : two) {
                runs.add(threads.submit(() -> {
                    member.set(self);
                    shared.allReduce("ar", self, two, Map.of("w", Nd4j.createFromArray(1f, 2f, 3f, 4f)), WAITS);
                    shared.allReduce("ar", self, two, Map.of("w", Nd4j.createFromArray(1f, 2f, 3f, 4f)), WAITS);
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
            transport.close();
        }
        CallSamples calls = shared.takeSamples();
        CollectiveSamples slowerMember = new CollectiveSamples(2, 5e-6, 16, 2, 4e-6, 8);
        assertThat(calls.calls()).containsExactly(entry(CallSamples.key(two, "ar"), slowerMember),
                entry(CallSamples.key(two, "ar") + " #2", slowerMember));
        assertThat(calls.critical()).isEqualTo(slowerMember.plus(slowerMember));
        assertThat(shared.takeSamples()).isEqualTo(CallSamples.NONE);
    }

    /** A member's clock: its readings in order ({@code {start}}: one reading, then 1 us more each time). */
    private interface Clock {
        long[] readings(int rank);
    }

    private static List<Object> onEveryMember(boolean grpc, Member member) throws Exception {
        return onEveryMember(grpc, RING, r -> new long[] {0}, member);
    }

    private static List<Object> onEveryMember(boolean grpc, List<String> ring, Clock clock, Member member) throws Exception {
        List<Transport> transports = new ArrayList<>();
        if (grpc) {
            Map<String, String> addresses = new LinkedHashMap<>();
            for (String d : ring) {
                GrpcTransport t = new GrpcTransport("127.0.0.1", 0, Map.of(d, 4), WAITS);
                addresses.put(d, "127.0.0.1:" + t.port());
                transports.add(t);
            }
            transports.forEach(t -> ((GrpcTransport) t).connect(addresses));
        } else {
            Map<String, Integer> capacities = new LinkedHashMap<>();
            ring.forEach(d -> capacities.put(d, 4));
            Transport shared = new InProcessTransport(capacities);
            ring.forEach(d -> transports.add(shared));
        }
        ExecutorService threads = Executors.newFixedThreadPool(ring.size());
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int r = 0; r < ring.size(); r++) {
                int rank = r;
                long[] readings = clock.readings(r);
                int[] next = {0};
                // scripted readings, then 1 us more each time
                LongSupplier nanos = () -> next[0] < readings.length ? readings[next[0]++]
                        : readings[readings.length - 1] + 1000L * (++next[0] - readings.length);
                RingCollectives c = new RingCollectives(transports.get(r), nanos);
                futures.add(threads.submit(() -> member.run(c, ring.get(rank), rank)));
            }
            List<Object> out = new ArrayList<>();
            for (Future<Object> f : futures) {
                out.add(f.get(30, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            threads.shutdownNow();
            transports.stream().distinct().forEach(Transport::close);
        }
    }
}
