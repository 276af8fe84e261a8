package org.modelpar.executor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.transport.Message;
import org.modelpar.executor.transport.Transport;
import org.modelpar.simulator.program.BoundaryAllGather;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A worker's received messages until its compute instructions consume them: pieces are joined per
 * micro-batch and payload, their bytes accounted as activations in the worker's ledger, and their
 * buffers handed back to the transport when the micro-batch is freed.
 */
final class Inbox {
    /** A received message with the receive that took it (which says what it carries). */
    private record Piece(Recv recv, Map<String, INDArray> tensors, long bytes) {
    }

    private final MemoryLedger ledger;
    private final Transport transport;
    private final int localFirst;
    private final int localCount;
    private final MessageScatter scatter;
    private final Map<String, List<Piece>> received = new HashMap<>();
    private final Map<String, List<INDArray>> buffers = new HashMap<>();
    /** Whole tensors put together from received parts (scatter/gather), until their compute takes them. */
    private final Map<String, Map<String, INDArray>> gathered = new HashMap<>();

    /** @param localFirst the worker's first sample in each micro-batch; {@code localCount} its sample count */
    Inbox(MemoryLedger ledger, Transport transport, int localFirst, int localCount, MessageScatter scatter) {
        this.scatter = scatter;
        this.ledger = ledger;
        this.transport = transport;
        this.localFirst = localFirst;
        this.localCount = localCount;
    }

    /** Takes over a message that {@code r} received: its bytes count as activations on this device. */
    void add(Recv r, Message m) {
        long bytes = m.tensors().values().stream().mapToLong(Tensors::bytes).sum();
        ledger.allocate(MemoryCategory.ACTIVATIONS, bytes);
        received.computeIfAbsent(key(r.payload(), r.stage(), r.microBatch()), x -> new ArrayList<>()).add(new Piece(r, m.tensors(), bytes));
        buffers.computeIfAbsent(pass(r.stage(), r.microBatch()), x -> new ArrayList<>()).addAll(m.tensors().values());
    }

    /**
     * Joins the received pieces of a stage's micro-batch: per sending stage in sample order (they must cover this
     * device's samples), then across stages (gradients of one tensor from several stages add up).
     */
    Map<String, INDArray> assemble(Payload payload, int stage, int mb) {
        Map<String, INDArray> whole = gathered.remove(key(payload, stage, mb));
        if (whole != null) {
            ledger.release(MemoryCategory.ACTIVATIONS, Outbox.bytes(whole));
            return whole;
        }
        List<Piece> pieces = received.remove(key(payload, stage, mb));
        if (pieces == null) {
            throw new IllegalStateException("no " + payload.shortName() + " received for stage " + stage + " micro-batch " + mb);
        }
        pieces.sort(Comparator.comparingInt((Piece m) -> m.recv().fromStage()).thenComparingInt(m -> m.recv().firstSample()));
        Map<Integer, List<Piece>> byStage = new TreeMap<>();
        pieces.forEach(m -> byStage.computeIfAbsent(m.recv().fromStage(), x -> new ArrayList<>()).add(m));
        Map<String, INDArray> out = new LinkedHashMap<>();
        byStage.forEach((from, list) -> {
            int expected = localFirst;
            Map<String, List<INDArray>> parts = new LinkedHashMap<>();
            for (Piece m : list) {
                if (m.recv().firstSample() != expected) {
                    throw new IllegalStateException("received " + payload.shortName() + " of micro-batch " + mb
                            + " from stage " + from + " starts at sample " + m.recv().firstSample() + ", expected " + expected);
                }
                m.tensors().forEach((name, t) -> parts.computeIfAbsent(name, x -> new ArrayList<>()).add(t));
                expected += m.recv().sampleCount();
                ledger.release(MemoryCategory.ACTIVATIONS, m.bytes());
            }
            if (expected != localFirst + localCount) {
                throw new IllegalStateException("received " + payload.shortName() + " of micro-batch " + mb + " from stage "
                        + from + " covers samples up to " + expected + ", expected " + (localFirst + localCount));
            }
            parts.forEach((name, l) -> {
                INDArray joined = l.size() == 1 ? l.get(0) : Nd4j.concat(0, l.toArray(INDArray[]::new));
                out.merge(name, joined, INDArray::addi);
            });
        });
        return out;
    }

    /**
     * Runs {@code g} (collective ids {@code <id> <tensor>}): all-gathers the whole tensors from the received parts of
     * its stage's micro-batch over its group ({@link MessageScatter}), which the next {@link #assemble} of them
     * returns; their bytes count as activations until then.
     */
    void gather(BoundaryAllGather g, String id, String device, RunContext run) throws InterruptedException {
        Map<String, INDArray> whole = scatter.gather(id, device, g.group(), assemble(g.payload(), g.stage(), g.microBatch()), run);
        ledger.allocate(MemoryCategory.ACTIVATIONS, Outbox.bytes(whole));
        gathered.put(key(g.payload(), g.stage(), g.microBatch()), whole);
    }

    /** Hands the stage's micro-batch's message buffers back to the transport, but those sharing memory with {@code live}. */
    void free(int stage, int mb, Set<INDArray> live) {
        List<INDArray> consumed = buffers.remove(pass(stage, mb));
        if (consumed != null) {
            Set<DataBuffer> roots = Collections.newSetFromMap(new IdentityHashMap<>());
            live.forEach(a -> roots.add(Tensors.root(a)));
            transport.release(consumed.stream().filter(a -> !roots.contains(Tensors.root(a))).toList());
        }
    }

    /** The end of a step: unconsumed messages are released from the ledger, every buffer returns. */
    void clear() {
        received.values().forEach(l -> l.forEach(m -> ledger.release(MemoryCategory.ACTIVATIONS, m.bytes())));
        received.clear();
        gathered.values().forEach(m -> ledger.release(MemoryCategory.ACTIVATIONS, Outbox.bytes(m)));
        gathered.clear();
        buffers.values().forEach(transport::release);
        buffers.clear();
    }

    private static String key(Payload payload, int stage, int mb) {
        return payload.shortName() + " " + pass(stage, mb);
    }

    private static String pass(int stage, int mb) {
        return "s" + stage + " mb" + mb;
    }

    /** What a send and its receive both call the message. */
    static String tag(Payload payload, int fromStage, int toStage, int mb, int firstSample) {
        return payload.shortName() + " s" + fromStage + ">s" + toStage + " mb" + mb + " @" + firstSample;
    }
}
