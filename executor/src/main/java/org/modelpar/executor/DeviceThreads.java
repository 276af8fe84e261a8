package org.modelpar.executor;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A device's threads beside its worker thread, one per {@link Role}, each running its tasks one after another in the
 * order they are submitted (so every replica runs its collectives of one role in program order), started on first use
 * and stopped with the worker. The one place that makes them: the overlapped gradient reductions
 * ({@link GradientSync}) and ZeRO stage 3's parameter gathers ({@link UnitGathers}) take theirs from here.
 */
final class DeviceThreads implements AutoCloseable {
    /** What a thread runs. */
    enum Role {
        /** Gradient buckets reduced while the backward goes on ({@link BucketedReduce}). */
        COMM("comm"),
        /** ZeRO stage 3's parameter gathers, a prefetched one running while the worker computes the unit before it. */
        GATHER("gather");

        private final String suffix;

        Role(String suffix) {
            this.suffix = suffix;
        }
    }

    private final String device;
    private final Map<Role, ExecutorService> started = new EnumMap<>(Role.class);
    /** Added on the thread that first submits to a role (the executor starts its thread then), read by others. */
    private final List<Thread> running = new CopyOnWriteArrayList<>();

    DeviceThreads(String device) {
        this.device = device;
    }

    /** The thread of {@code role} ({@code modelpar-<device>-<role>}), started now if it has not been. */
    synchronized ExecutorService of(Role role) {
        return started.computeIfAbsent(role, r -> Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "modelpar-" + device + "-" + r.suffix);
            t.setDaemon(true);
            running.add(t);
            return t;
        }));
    }

    /** The threads started so far. */
    List<Thread> threads() {
        return List.copyOf(running);
    }

    /** Stops every thread started, interrupting what runs. */
    @Override
    public synchronized void close() {
        started.values().forEach(ExecutorService::shutdownNow);
        started.clear();
    }
}
