package org.modelpar.executor.transport;

import java.util.Collection;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves messages between the devices of a run. Semantics every implementation keeps (docs/architecture.md):
 * a receive takes the message with its key, whatever arrived before it; a device's mailbox is bounded, so a
 * sender blocks while the receiver's is full (between processes: once the bytes in flight also fill the
 * flow-control window); every wait goes through the caller's
 * {@link Waits}, so it stops when the run fails and times out naming what it waited for.
 */
public interface Transport extends AutoCloseable {
    /**
     * Delivers a copy of {@code message}'s tensors to {@code message.key().to()}; blocks while its
     * mailbox is full. Runs {@code message.onDelivered()} once the sender's arrays may be reused.
     */
    void send(Message message, Waits waits) throws InterruptedException;

    /** Blocks until the message with {@code key} has arrived and takes it; its arrays are the caller's. */
    Message receive(Message.Key key, Waits waits) throws InterruptedException;

    /**
     * What this transport has done so far between processes (running totals; {@link TransportLoad#since} gives a
     * step's): none for a transport within one process.
     */
    default TransportLoad load() {
        return TransportLoad.NONE;
    }

    /** Hands back the arrays of received messages once consumed (an implementation may reuse them). */
    void release(Collection<INDArray> arrays);

    @Override
    void close();
}
