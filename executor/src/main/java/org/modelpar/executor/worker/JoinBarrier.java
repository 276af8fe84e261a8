package org.modelpar.executor.worker;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.modelpar.executor.transport.ByteMarshaller;
import java.util.Optional;

/**
 * The coordinator's side of the rendezvous ({@code Join} call): every rank joins with the address of its transport and
 * waits; once all have, each is answered with every rank's address, by rank. A join of another world size, of a rank
 * outside it or of a rank already joined is refused (gRPC's {@code INVALID_ARGUMENT}, which the worker reports as a
 * {@link LaunchException}); once the run has stopped ({@link #abort}), the waiting ranks and every later join are
 * answered {@code ABORTED} with the run's failure. Thread-safe.
 */
final class JoinBarrier {
    private final String[] addresses;
    private final List<StreamObserver<byte[]>> waiting = new ArrayList<>();
    private Optional<String> stopped = Optional.empty();

    JoinBarrier(int worldSize) {
        this.addresses = new String[worldSize];
    }

    /** The {@code Join} request of rank {@code rank} of {@code worldSize}, whose transport serves at {@code address}. */
    static byte[] request(int rank, int worldSize, String address) {
        return (rank + "\n" + worldSize + "\n" + address).getBytes(StandardCharsets.UTF_8);
    }

    /** As {@link #join(int, int, String, StreamObserver)} for a {@link #request}. */
    Optional<String> join(byte[] request, StreamObserver<byte[]> answer) {
        String[] f = new String(request, StandardCharsets.UTF_8).split("\n", 3);
        return join(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], answer);
    }

    /**
     * Rank {@code rank}, which was told the world has {@code worldSize} ranks, joins from {@code address}; {@code answer}
     * gets every rank's address once all have joined.
     *
     * @return why the join was refused (its {@code answer} has been told), when it was
     */
    synchronized Optional<String> join(int rank, int worldSize, String address, StreamObserver<byte[]> answer) {
        if (stopped.isPresent()) {
            answer.onError(aborted(stopped.get()));
            return Optional.empty();
        }
        int n = addresses.length;
        String error = worldSize != n ? worldSizeMismatch(worldSize, n)
                : rank < 0 || rank >= n ? "rank " + rank + " outside [0, " + n + ")"
                : addresses[rank] != null ? "rank " + rank + " joined twice (" + addresses[rank] + ", " + address + ")" : null;
        if (error != null) {
            answer.onError(Status.INVALID_ARGUMENT.withDescription(error).asException());
            return Optional.of(error);
        }
        addresses[rank] = address;
        waiting.add(answer);
        if (waiting.size() == n) {
            byte[] all = String.join("\n", addresses).getBytes(StandardCharsets.UTF_8);
            waiting.forEach(w -> ByteMarshaller.reply(w, all));
            waiting.clear();
        }
        return Optional.empty();
    }

    /** Why a worker told {@code worldSize} ranks cannot run a plan of {@code devices} devices (it checks before joining). */
    static String worldSizeMismatch(int worldSize, int devices) {
        return "world size is " + worldSize + " but the plan has " + devices + " devices (one worker process per device)";
    }

    /** Where rank {@code rank} joined from, or {@code not yet joined}. */
    synchronized String address(int rank) {
        return addresses[rank] == null ? "not yet joined" : addresses[rank];
    }

    /** The run stopped ({@code why}): the ranks waiting here and every later join are answered {@code ABORTED}. */
    synchronized void abort(String why) {
        stopped = Optional.of(why);
        waiting.forEach(w -> w.onError(aborted(why)));
        waiting.clear();
    }

    private static Throwable aborted(String why) {
        return Status.ABORTED.withDescription(why).asException();
    }
}
