package org.modelpar.executor;

import java.util.EnumMap;
import java.util.Map;

/**
 * Accounts every live tensor of one device by category and enforces the device's memory budget:
 * an allocation that would exceed it fails, naming the device, the category, the bytes and the limit.
 * Thread-safe (senders account in-flight messages).
 */
public final class MemoryLedger {
    private final String device;
    private final long budgetBytes;
    private final Map<MemoryCategory, Long> live = new EnumMap<>(MemoryCategory.class);
    private long total;
    private long peak;
    private long windowPeak;

    public MemoryLedger(String device, long budgetBytes) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("memory budget of device " + device + " must be positive, got " + budgetBytes);
        }
        this.device = device;
        this.budgetBytes = budgetBytes;
    }

    /** Records an allocation; throws {@link OutOfDeviceMemory} when it would exceed the budget. */
    public synchronized void allocate(MemoryCategory category, long bytes) {
        if (total + bytes > budgetBytes) {
            throw new OutOfDeviceMemory("device " + device + " out of memory: allocating " + bytes + " bytes of "
                    + category.name().toLowerCase() + " on top of " + total + " live bytes exceeds the budget of "
                    + budgetBytes + " bytes");
        }
        live.merge(category, bytes, Long::sum);
        total += bytes;
        peak = Math.max(peak, total);
        windowPeak = Math.max(windowPeak, total);
    }

    /** Records {@code bytes} live on top of the ledger's count for a moment (allocated and released at once). */
    public synchronized void momentary(MemoryCategory category, long bytes) {
        allocate(category, bytes);
        release(category, bytes);
    }

    /** Records a release. */
    public synchronized void release(MemoryCategory category, long bytes) {
        long now = live.getOrDefault(category, 0L) - bytes;
        if (now < 0) {
            throw new IllegalStateException("device " + device + " released " + bytes + " bytes of " + category
                    + " but held only " + (now + bytes));
        }
        live.put(category, now);
        total -= bytes;
    }

    public synchronized long liveBytes() {
        return total;
    }

    public synchronized long peakBytes() {
        return peak;
    }

    /** The most bytes live since the previous call (at least those live now); starts the next window. */
    public synchronized long takeWindowPeak() {
        long p = Math.max(windowPeak, total);
        windowPeak = total;
        return p;
    }

    /** An allocation beyond the device's budget. */
    public static final class OutOfDeviceMemory extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutOfDeviceMemory(String message) {
            super(message);
        }
    }
}
