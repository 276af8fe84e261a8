package org.modelpar.executor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.modelpar.simulator.program.Payload;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A worker's received messages until its compute instructions consume them: pieces are joined per
 * micro-batch and payload, their bytes accounted as activations in the worker's ledger, and their
 * buffers returned to the run's message pool when the micro-batch is freed.
 */
final class Inbox {
    private final MemoryLedger ledger;
    private final ArrayPool messages;
    private final int localFirst;
    private final int localCount;
    private final Map<String, List<Message>> received = new HashMap<>();
    private final Map<Integer, List<INDArray>> buffers = new HashMap<>();

    /** @param localFirst the worker's first sample in each micro-batch; {@code localCount} its sample count */
    Inbox(MemoryLedger ledger, ArrayPool messages, int localFirst, int localCount) {
        this.ledger = ledger;
        this.messages = messages;
        this.localFirst = localFirst;
        this.localCount = localCount;
    }

    /** Takes over a message taken from the mailbox: its bytes move from the sender's ledger to this one. */
    void add(Message m) {
        m.heldBy().release(MemoryCategory.MESSAGES, m.bytes());
        ledger.allocate(MemoryCategory.ACTIVATIONS, m.bytes());
        received.computeIfAbsent(key(m.key().payload(), m.key().microBatch()), x -> new ArrayList<>()).add(m);
        buffers.computeIfAbsent(m.key().microBatch(), x -> new ArrayList<>()).addAll(m.tensors().values());
    }

    /**
     * Joins the received pieces of a micro-batch: per sending stage in sample order (they must cover this
     * device's samples), then across stages (gradients of one tensor from several stages add up).
     */
    Map<String, INDArray> assemble(Payload payload, int mb) {
        List<Message> pieces = received.remove(key(payload, mb));
        if (pieces == null) {
            throw new IllegalStateException("no " + payload.shortName() + " received for micro-batch " + mb);
        }
        pieces.sort(Comparator.comparingInt((Message m) -> m.key().fromStage()).thenComparingInt(m -> m.key().firstSample()));
        Map<Integer, List<Message>> byStage = new TreeMap<>();
        pieces.forEach(m -> byStage.computeIfAbsent(m.key().fromStage(), x -> new ArrayList<>()).add(m));
        Map<String, INDArray> out = new LinkedHashMap<>();
        byStage.forEach((stage, list) -> {
            int expected = localFirst;
            Map<String, List<INDArray>> parts = new LinkedHashMap<>();
            for (Message m : list) {
                if (m.key().firstSample() != expected) {
                    throw new IllegalStateException("received " + payload.shortName() + " of micro-batch " + mb
                            + " from stage " + stage + " starts at sample " + m.key().firstSample() + ", expected " + expected);
                }
                m.tensors().forEach((name, t) -> parts.computeIfAbsent(name, x -> new ArrayList<>()).add(t));
                expected += m.sampleCount();
                ledger.release(MemoryCategory.ACTIVATIONS, m.bytes());
            }
            if (expected != localFirst + localCount) {
                throw new IllegalStateException("received " + payload.shortName() + " of micro-batch " + mb + " from stage "
                        + stage + " covers samples up to " + expected + ", expected " + (localFirst + localCount));
            }
            parts.forEach((name, l) -> {
                INDArray joined = l.size() == 1 ? l.get(0) : Nd4j.concat(0, l.toArray(INDArray[]::new));
                out.merge(name, joined, INDArray::addi);
            });
        });
        return out;
    }

    /** Returns the micro-batch's message buffers to the pool, but those still in {@code live}. */
    void free(int mb, Set<INDArray> live) {
        List<INDArray> consumed = buffers.remove(mb);
        if (consumed != null) {
            messages.release(consumed, live);
        }
    }

    /** The end of a step: unconsumed messages are released from the ledger, every buffer returns. */
    void clear() {
        received.values().forEach(l -> l.forEach(m -> ledger.release(MemoryCategory.ACTIVATIONS, m.bytes())));
        received.clear();
        buffers.values().forEach(l -> messages.release(l, Set.of()));
        buffers.clear();
    }

    private static String key(Payload payload, int mb) {
        return payload.shortName() + mb;
    }
}
