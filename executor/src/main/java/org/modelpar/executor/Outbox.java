package org.modelpar.executor;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.transport.Message;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Send;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A worker's computed boundary tensors until their last {@link Send}: held per pass (payload, stage and
 * micro-batch) as activations in the worker's ledger; each send hands its slice of samples to the transport
 * as a message (its bytes move from held activations to messages in flight), and after the last send of a
 * pass the tensors go back to the worker's pool.
 */
final class Outbox {
    private final String device;
    private final Boundary boundary;
    private final MemoryLedger ledger;
    private final RunContext run;
    private final int localFirst;
    private final int localCount;
    private final MessageScatter scatter;
    private final Map<String, Integer> sendsPerPass = new HashMap<>();
    private final Map<String, Map<String, INDArray>> held = new HashMap<>();
    private final Map<String, Integer> sendsLeft = new HashMap<>();
    private final Map<String, Long> heldBytes = new HashMap<>();

    /** @param localFirst the worker's first sample in each micro-batch; {@code localCount} its sample count */
    Outbox(String device, List<Instruction> program, Boundary boundary, MemoryLedger ledger, RunContext run,
           int localFirst, int localCount, MessageScatter scatter) {
        this.scatter = scatter;
        this.device = device;
        this.boundary = boundary;
        this.ledger = ledger;
        this.run = run;
        this.localFirst = localFirst;
        this.localCount = localCount;
        for (Instruction i : program) {
            if (i instanceof Send s) {
                sendsPerPass.merge(key(s.payload(), s.stage(), s.microBatch()), 1, Integer::sum);
            }
        }
    }

    /** Holds what a pass of {@code stage} computed until the program's sends of it have run (nothing when none). */
    void hold(Payload payload, int stage, int mb, Map<String, INDArray> tensors) {
        String k = key(payload, stage, mb);
        Integer sends = sendsPerPass.get(k);
        if (sends == null || tensors.isEmpty()) {
            return;
        }
        long bytes = bytes(tensors);
        ledger.allocate(MemoryCategory.ACTIVATIONS, bytes);
        held.put(k, tensors);
        heldBytes.put(k, bytes);
        sendsLeft.put(k, sends);
    }

    /**
     * Sends the peer its samples of the held tensors its stage reads; after the pass's last send, returns them to
     * {@code pool} unless they share memory with what is {@code live} then.
     */
    void send(Send s, ArrayPool pool, Supplier<Set<INDArray>> live) throws InterruptedException {
        String k = key(s.payload(), s.stage(), s.microBatch());
        Map<String, INDArray> all = held.get(k);
        if (all == null) {
            throw new IllegalStateException("nothing computed to send for " + s.payload() + " of stage " + s.stage()
                    + " micro-batch " + s.microBatch());
        }
        int offset = s.firstSample() - localFirst;
        if (offset < 0 || offset + s.sampleCount() > localCount) {
            throw new IllegalStateException("samples [" + s.firstSample() + ", " + (s.firstSample() + s.sampleCount())
                    + ") are not among this device's [" + localFirst + ", " + (localFirst + localCount) + ")");
        }
        List<String> names = s.payload() == Payload.ACTIVATION ? boundary.between(s.stage(), s.toStage())
                : boundary.between(s.toStage(), s.stage());
        Map<String, INDArray> part = new LinkedHashMap<>();
        for (String name : names) {
            INDArray t = all.get(name);
            long rowsPerSample = t.size(0) / localCount;
            part.put(name, scatter.cut(name, Tensors.rowsView(t, offset * rowsPerSample, s.sampleCount() * rowsPerSample)));
        }
        long bytes = bytes(part);
        // the message is the output buffer in transit: its bytes move from the held outputs to messages
        long moved = Math.min(bytes, heldBytes.get(k));
        heldBytes.merge(k, -moved, Long::sum);
        ledger.release(MemoryCategory.ACTIVATIONS, moved);
        ledger.allocate(MemoryCategory.MESSAGES, bytes);
        Message.Key key = new Message.Key(device, s.peer(), Inbox.tag(s.payload(), s.stage(), s.toStage(), s.microBatch(), s.firstSample()));
        run.transport().send(new Message(key, part, () -> ledger.release(MemoryCategory.MESSAGES, bytes)), run.control());
        if (sendsLeft.merge(k, -1, Integer::sum) == 0) {
            ledger.release(MemoryCategory.ACTIVATIONS, heldBytes.remove(k));
            held.remove(k);
            sendsLeft.remove(k);
            pool.release(all.values(), live.get());
        }
    }

    /** The arrays held for sending. */
    Collection<Map<String, INDArray>> held() {
        return held.values();
    }

    /** The end of a step: what was never sent is released from the ledger (the pool takes every buffer back). */
    void clear() {
        heldBytes.values().forEach(b -> ledger.release(MemoryCategory.ACTIVATIONS, b));
        heldBytes.clear();
        held.clear();
        sendsLeft.clear();
    }

    private static String key(Payload payload, int stage, int mb) {
        return payload.shortName() + " s" + stage + " mb" + mb;
    }

    static long bytes(Map<String, INDArray> tensors) {
        return tensors.values().stream().mapToLong(Tensors::bytes).sum();
    }
}
