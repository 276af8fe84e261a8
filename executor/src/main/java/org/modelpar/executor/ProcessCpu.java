package org.modelpar.executor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.function.Supplier;

/**
 * The CPU time this process spends outside its devices' threads: the runtime's own work (the garbage collector, the JIT
 * compiler, ND4J's native-memory deallocators), the transport's event loop (which the executor takes out again as the
 * messages' own cost, {@link org.modelpar.executor.transport.TransportLoad}), the caller's thread. Where the workers share
 * a host's cores, that work takes its share of the cores from them while they compute, which the simulator's devices
 * do not have (their compute threads, and their communication and gather threads, whose sums and copies it prices as
 * host work, are its own flows). Zero where the JVM cannot read its process or thread CPU times.
 */
final class ProcessCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final Supplier<List<Thread>> devices;
    private final boolean readable;

    /** A meter of the CPU time outside {@code devices}, the devices' threads (asked at every reading: some start late). */
    ProcessCpu(Supplier<List<Thread>> devices) {
        this.devices = devices;
        this.readable = THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled()
                && ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean;
    }

    /** The CPU nanoseconds outside the devices' threads so far (a reading; the difference of two is the time between). */
    long outsideNanos() {
        if (!readable) {
            return 0;
        }
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        long inside = 0;
        for (Thread t : devices.get()) {
            inside += Math.max(0, THREADS.getThreadCpuTime(t.getId()));
        }
        return process - inside;
    }
}
