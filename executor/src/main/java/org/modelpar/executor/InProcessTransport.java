package org.modelpar.executor;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.modelpar.executor.transport.Mailbox;
import org.modelpar.executor.transport.Message;
import org.modelpar.executor.transport.Transport;
import org.modelpar.executor.transport.Waits;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The transport between worker threads of one process: a send copies the tensors into buffers of a
 * run-wide pool and puts them in the receiver's bounded mailbox; the receiver returns the buffers when it
 * has consumed them, so in steady state nothing is allocated. The sender's copy counts on its ledger until
 * the receiver takes the message.
 */
public final class InProcessTransport implements Transport {
    private final Map<String, Mailbox> mailboxes = new LinkedHashMap<>();
    private final ArrayPool buffers = new ArrayPool();

    /** @param capacities mailbox capacity of every device of the run */
    public InProcessTransport(Map<String, Integer> capacities) {
        capacities.forEach((d, c) -> mailboxes.put(d, new Mailbox(c)));
    }

    @Override
    public void send(Message m, Waits waits) throws InterruptedException {
        Map<String, INDArray> copies = new LinkedHashMap<>();
        m.tensors().forEach((k, v) -> copies.put(k, buffers.copy(v)));
        mailbox(m.key().to()).put(new Message(m.key(), copies, m.onDelivered()), waits);
    }

    @Override
    public Message receive(Message.Key key, Waits waits) throws InterruptedException {
        Message m = mailbox(key.to()).take(key, waits);
        m.onDelivered().run();
        return Message.of(m.key(), m.tensors());
    }

    @Override
    public void release(Collection<INDArray> arrays) {
        buffers.release(arrays, Set.of());
    }

    /** Message buffers allocated so far (constant once the steps repeat). */
    long allocations() {
        return buffers.allocations();
    }

    @Override
    public void close() {
        // nothing outlives the run's threads
    }

    private Mailbox mailbox(String device) {
        Mailbox m = mailboxes.get(device);
        if (m == null) {
            throw new IllegalStateException("no device '" + device + "' in this run");
        }
        return m;
    }
}
