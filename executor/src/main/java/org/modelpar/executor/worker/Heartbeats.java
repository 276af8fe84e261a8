package org.modelpar.executor.worker;

import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.modelpar.executor.Ticker;

/**
 * The coordinator's view of its workers' heartbeats. Every worker keeps one stream open to the coordinator
 * and sends on it, every {@link #PERIOD_MILLIS} ms, the instruction it is on ({@link Progress.Beat}); the
 * coordinator answers on the same stream only to stop the run. A rank is lost when
 * <ul>
 *   <li>its stream breaks before it has finished (its process died: the operating system closes the connection;
 *       counted after a second, so that a local supervisor names how the process ended first),</li>
 *   <li>no beat came for the bound (its process is stopped, or its host unreachable), or</li>
 *   <li>it has started no instruction for the bound while on a compute instruction (hung: a rank waiting for
 *       another is on a communication instruction; of several hung ranks the one stuck longest is named).</li>
 * </ul>
 * The bound is half the run's receive timeout, so the coordinator names a hung rank before the ranks waiting
 * for it time out. Thread-safe on its own monitor, which no caller holds while it waits or computes: a beat is
 * recorded on arrival whatever the coordinator's other threads are doing (a caller's work between steps, such as
 * a calibration, takes no beat's time).
 */
final class Heartbeats {
    /** How often a worker beats. */
    static final long PERIOD_MILLIS = 250;
    /** How long a broken stream waits before it counts, so that a local supervisor can name how the process ended. */
    static final long BROKEN_GRACE_MILLIS = 1_000;
    private final Ticker ticker;
    private final long boundNanos;
    private final Map<Integer, Progress.Beat> beats = new HashMap<>();
    private final Map<Integer, Long> lastBeatNanos = new HashMap<>();
    private final Map<Integer, Long> progressNanos = new HashMap<>();
    private final Map<Integer, StreamObserver<byte[]>> streams = new HashMap<>();
    private final Set<Integer> finished = new HashSet<>();
    private final Map<Integer, Long> brokenNanos = new HashMap<>();

    /** A lost rank: what it was on and why it counts as lost. */
    record Lost(int rank, String where, String why) {
    }

    Heartbeats(Ticker ticker, long boundNanos) {
        this.ticker = ticker;
        this.boundNanos = boundNanos;
    }

    /** The coordinator's end of one worker's heartbeat stream ({@code out}): its beats, its clean end, or its break. */
    StreamObserver<byte[]> stream(StreamObserver<byte[]> out) {
        int[] rank = {-1};
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] message) {
                var beat = Progress.Beat.decode(new String(message, StandardCharsets.UTF_8));
                if (rank[0] < 0) {
                    rank[0] = beat.getKey();
                    open(rank[0], out);
                }
                beat(rank[0], beat.getValue());
            }

            @Override
            public void onError(Throwable t) {
                if (rank[0] >= 0) {
                    broken(rank[0]);
                }
            }

            @Override
            public void onCompleted() {
                if (rank[0] < 0 || finish(rank[0])) {
                    out.onCompleted();
                }
            }
        };
    }

    /** The stream {@code rank} beats on (its first beat), where the coordinator stops it. */
    synchronized void open(int rank, StreamObserver<byte[]> stream) {
        streams.put(rank, stream);
    }

    /** A beat of {@code rank}. */
    synchronized void beat(int rank, Progress.Beat beat) {
        long now = ticker.nanos();
        Progress.Beat last = beats.put(rank, beat);
        lastBeatNanos.put(rank, now);
        if (last == null || last.started() != beat.started()) {
            progressNanos.put(rank, now);
        }
    }

    /**
     * {@code rank} ended its stream: it has run its last step (or reported its own failure). Returns whether the
     * coordinator's side of the stream is still open (it is closed once {@link #stopAll} answered it).
     */
    synchronized boolean finish(int rank) {
        finished.add(rank);
        return streams.remove(rank) != null;
    }

    /** {@code rank}'s stream broke: unless it had finished, its process went away ({@link #check} reports it). */
    synchronized void broken(int rank) {
        streams.remove(rank);
        if (!finished.contains(rank)) {
            brokenNanos.putIfAbsent(rank, ticker.nanos());
        }
    }

    /** The first rank lost by silence or by a hang, if any (ranks that have not beaten yet are still starting). */
    synchronized Optional<Lost> check() {
        long now = ticker.nanos();
        for (Map.Entry<Integer, Long> e : brokenNanos.entrySet()) {
            if (now - e.getValue() > BROKEN_GRACE_MILLIS * 1_000_000L) {
                return Optional.of(new Lost(e.getKey(), where(e.getKey()),
                        "its connection to the coordinator closed before the run ended (the worker process died)"));
            }
        }
        Lost hung = null;
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<Integer, Progress.Beat> e : beats.entrySet()) {
            int rank = e.getKey();
            if (finished.contains(rank) || brokenNanos.containsKey(rank)) {
                continue;
            }
            long silent = now - lastBeatNanos.get(rank);
            if (silent > boundNanos) {
                return Optional.of(new Lost(rank, where(rank), "no heartbeat for " + seconds(silent)
                        + " s (its process is stopped or its host unreachable)"));
            }
            long still = now - progressNanos.get(rank);
            if (e.getValue().compute() && still > boundNanos && progressNanos.get(rank) < oldest) {
                oldest = progressNanos.get(rank);
                hung = new Lost(rank, where(rank), "no progress for " + seconds(still) + " s in a compute instruction (hung)");
            }
        }
        return Optional.ofNullable(hung);
    }

    /** Tells every worker still beating that the run stopped, so the ranks waiting for others stop at once. */
    synchronized void stopAll(String why) {
        byte[] message = why.getBytes(StandardCharsets.UTF_8);
        streams.values().forEach(s -> {
            try {
                s.onNext(message);
                s.onCompleted();
            } catch (RuntimeException e) {
                // the worker's stream is gone already
            }
        });
        streams.clear();
    }

    private String where(int rank) {
        Progress.Beat b = beats.get(rank);
        return b == null ? "start-up" : b.where();
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
