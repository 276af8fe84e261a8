package org.modelpar.executor;

import java.util.Collection;
import org.modelpar.executor.transport.Message;
import org.modelpar.executor.transport.Transport;
import org.modelpar.executor.transport.Waits;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A transport that tells its {@link Observer} of every message sent and every key received, then hands them on. */
final class ObservedTransport implements Transport {
    /** What a test records of the traffic. */
    interface Observer {
        /** {@code message} is about to be sent. */
        void sent(Message message);

        /** A receive of {@code key} starts. */
        default void receiving(Message.Key key) {
        }
    }

    private final Transport inner;
    private final Observer observer;

    ObservedTransport(Transport inner, Observer observer) {
        this.inner = inner;
        this.observer = observer;
    }

    @Override
    public void send(Message message, Waits waits) throws InterruptedException {
        observer.sent(message);
        inner.send(message, waits);
    }

    @Override
    public Message receive(Message.Key key, Waits waits) throws InterruptedException {
        observer.receiving(key);
        return inner.receive(key, waits);
    }

    @Override
    public void release(Collection<INDArray> arrays) {
        inner.release(arrays);
    }

    @Override
    public void close() {
        inner.close();
    }
}
