package org.modelpar.executor;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The threads that compute a run's devices, for work a caller runs there between steps: the calibration's timed passes
 * ({@code CalibratedPrediction}; in a worker process, on its one device's thread), so that they run where the devices'
 * kernels run. On a virtual machine the cores do not run at one speed: a single-threaded loop on one vCPU ran 1.7 times
 * as long as on the other for stretches of seconds, and the scheduler keeps a thread on the core it last ran on, so
 * passes timed on the caller's thread can see another core's speed than the devices' threads do (the small gpt on one
 * worker: its kernels 8-13% slower on the device's thread than on the caller's, op by op, in the same seconds).
 */
public interface ComputeThreads {
    /** How many threads there are (at least one). */
    int count();

    /** Runs {@code task} on thread {@code index} (modulo {@link #count()}) and waits for it; its failure is rethrown. */
    void run(int index, Runnable task);

    /** Runs {@code task} on thread {@code index} (modulo {@link #count()}) and returns its value. */
    default <T> T call(int index, Supplier<T> task) {
        AtomicReference<T> value = new AtomicReference<>();
        run(index, () -> value.set(task.get()));
        return value.get();
    }
}
