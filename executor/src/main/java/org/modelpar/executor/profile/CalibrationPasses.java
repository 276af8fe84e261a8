package org.modelpar.executor.profile;

/**
 * Where a run's calibration passes are timed: on the thread that computes a device, in this process or in the device's
 * worker process, so that the kernels are timed on the core the device's kernels run on (the cores of a virtual machine
 * differ in speed from moment to moment, and a thread keeps to its core: {@code org.modelpar.executor.ComputeThreads}).
 */
@FunctionalInterface
public interface CalibrationPasses {
    /** One timed pass ({@link Calibration#pass}) on device {@code index}, modulo the run's devices. */
    CalibrationPass take(int index);
}
