package org.modelpar.executor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The CPU time this process spends outside its devices' compute threads: the runtime's own work (the garbage
 * collector, the JIT compiler, ND4J's native-memory deallocators), the communication threads of overlapped
 * collectives, the transport's event loop. Where the workers share a host's cores, that work takes its share of the
 * cores from them while they compute, which the simulator's devices (one compute stream each, collectives on
 * streams of their own that cost no compute) do not have. Zero where the JVM cannot read its process or thread CPU
 * times.
 */
final class ProcessCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final List<Thread> compute;
    private final boolean readable;

    /** A meter of the CPU time outside {@code compute}, the devices' compute threads. */
    ProcessCpu(List<Thread> compute) {
        this.compute = List.copyOf(compute);
        this.readable = THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled()
                && ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean;
    }

    /** The CPU nanoseconds outside the compute threads so far (a reading; the difference of two is the time between). */
    long outsideNanos() {
        if (!readable) {
            return 0;
        }
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        long devices = 0;
        for (Thread t : compute) {
            devices += Math.max(0, THREADS.getThreadCpuTime(t.getId()));
        }
        return process - devices;
    }
}
