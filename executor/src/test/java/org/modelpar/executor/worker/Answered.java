package org.modelpar.executor.worker;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A unary call's answer as a test sees it: the value given, or the status it failed with. */
final class Answered implements StreamObserver<byte[]> {
    private Optional<String> value = Optional.empty();
    private Optional<Status> error = Optional.empty();
    private boolean completed;

    @Override
    public void onNext(byte[] v) {
        value = Optional.of(new String(v, StandardCharsets.UTF_8));
    }

    @Override
    public void onError(Throwable t) {
        error = Optional.of(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        completed = true;
    }

    /** The value, once the call completed with one. */
    Optional<String> value() {
        return completed ? value : Optional.empty();
    }

    Optional<Status> error() {
        return error;
    }

    boolean pending() {
        return !completed && error.isEmpty();
    }
}
