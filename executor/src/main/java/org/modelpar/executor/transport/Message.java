package org.modelpar.executor.transport;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A point-to-point message: named tensors from one device to another. A receive matches the send with
 * the same key; the k-th message with a key is the k-th received with it.
 *
 * @param key         sender, receiver and tag
 * @param tensors     by name; on {@link Transport#send} they may be views valid only during the call
 * @param onDelivered runs once the sender's copy is no longer needed (taken by the receiver, or on the wire)
 */
public record Message(Key key, Map<String, INDArray> tensors, Runnable onDelivered) {
    public Message {
        tensors = Map.copyOf(tensors);
    }

    /** A message whose delivery nobody waits for. */
    public static Message of(Key key, Map<String, INDArray> tensors) {
        return new Message(key, tensors, () -> { });
    }

    /**
     * What a receive matches.
     *
     * @param from sending device id
     * @param to   receiving device id
     * @param tag  what the message carries, the same string on both sides (e.g. {@code act s0>s1 mb3 @0})
     */
    public record Key(String from, String to, String tag) {
    }
}
