package org.modelpar.simulator.cost;

import org.modelpar.profiles.DeviceProfile;

/**
 * The element-wise work a member of a collective does on its own host besides handing its chunks to the transport
 * (whose copies the link's measured latency and bandwidth already carry), as the executor's ring collectives do it
 * (Patarasuk and Yuan's ring, {@code Collective}): each received chunk is added into ({@code 3} bytes moved per byte:
 * two reads, one write) or copied into ({@code 2}) the member's buffer, and an all-reduce first flattens its tensors
 * into one buffer and copies the sum back ({@code 2} each). On a host whose workers share the cores
 * (docs/simulator.md, "Shared hosts") this work competes with compute; a memory-bound kernel per call.
 *
 * @param bytesMoved  bytes read and written by the member's kernels
 * @param kernelCalls the kernel calls that move them
 */
public record HostWork(double bytesMoved, long kernelCalls) {
    /** No work on the host. */
    public static final HostWork NONE = new HostWork(0, 0);

    public HostWork {
        if (!(bytesMoved >= 0) || kernelCalls < 0 || (bytesMoved > 0 && kernelCalls == 0)) {
            throw new IllegalArgumentException("host work needs bytes >= 0 moved by calls >= 0 (at least one when bytes move),"
                    + " got " + bytesMoved + " bytes in " + kernelCalls + " calls");
        }
    }

    /**
     * {@code collectives} ring all-reduces of {@code bytes} in all over {@code members}: flatten and copy back
     * ({@code 4 S}, 2 calls each), then a reduce-scatter and an all-gather pass.
     */
    public static HostWork allReduce(long bytes, int members, int collectives) {
        if (members < 2) {
            return NONE;
        }
        return new HostWork(4.0 * bytes, 2L * collectives).plus(reduceScatter(bytes, members, collectives))
                .plus(allGather(bytes, members, collectives));
    }

    /**
     * The copies of {@code tensors} tensors into {@code flats} flat vectors and back that {@link #allReduce} counts as
     * two calls a flat vector (its {@code 4S} bytes): one call a tensor each way, so {@code 2 (tensors - flats)} calls
     * more and no more bytes; none when each flat vector holds one tensor.
     */
    public static HostWork perTensorCopies(int tensors, int flats) {
        return new HostWork(0, 2L * Math.max(0, tensors - flats));
    }

    /** {@code collectives} reduce-scatter passes: {@code n - 1} received chunks of {@code S / n} added, {@code 3(n-1)/n S}. */
    public static HostWork reduceScatter(long bytes, int members, int collectives) {
        return pass(bytes, members, collectives, 3);
    }

    /** {@code collectives} all-gather passes: {@code n - 1} received chunks of {@code S / n} copied, {@code 2(n-1)/n S}. */
    public static HostWork allGather(long bytes, int members, int collectives) {
        return pass(bytes, members, collectives, 2);
    }

    /**
     * {@code passes} ring passes of {@code bytes} in all, as many reduce-scatters as all-gathers (sequence
     * parallelism's pairs and gathers): {@code 2.5 (n-1)/n S} bytes, {@code n - 1} calls each.
     */
    public static HostWork ringPasses(long bytes, int members, int passes) {
        if (members < 2 || bytes == 0) {
            return NONE;
        }
        return new HostWork(2.5 * (members - 1.0) / members * bytes, (long) passes * (members - 1));
    }

    /**
     * ZeRO's packing around {@code buckets} gradient reduce-scatters of {@code tensors} parameter tensors, {@code bytes}
     * in all, over {@code members} (the executor's {@code ZeroShards}; {@link #reduceScatter} prices the ring passes):
     * each bucket's flat vector is zeroed (1 call, {@code S} written in all) and every tensor's {@code n} parts are
     * copied into it ({@code n} calls a tensor, {@code 2S}); then the member's own part comes back: of the whole stage,
     * every tensor zeroed and its part copied ({@code 2} calls a tensor, {@code S + 2S/n}), {@code 4S + 2S/n} in all;
     * of a unit ({@code perUnit}, ZeRO stages 2 and 3), its part added to the part the member keeps ({@code 1} call a
     * tensor, {@code 3S/n}), {@code 3S + 3S/n}. Nothing over one member.
     */
    public static HostWork zeroReduceScatter(long bytes, int members, int tensors, int buckets, boolean perUnit) {
        if (members < 2 || bytes == 0) {
            return NONE;
        }
        double back = perUnit ? 3.0 * bytes / members : bytes + 2.0 * bytes / members;
        return pack(bytes, members, tensors, buckets).plus(new HostWork(back, (long) tensors * (perUnit ? 1 : 2)));
    }

    /**
     * ZeRO's packing around the all-gather of the updated parameters ({@code tensors} tensors, {@code bytes} in all) over
     * {@code members} after the optimizer step: packed as for {@link #zeroReduceScatter} ({@code 3S}), then every part
     * of every tensor copied back ({@code n} calls a tensor, {@code 2S}), {@code 5S} in all. Nothing over one member.
     */
    public static HostWork zeroParameterGather(long bytes, int members, int tensors) {
        if (members < 2 || bytes == 0) {
            return NONE;
        }
        return pack(bytes, members, tensors, 1).plus(new HostWork(2.0 * bytes, (long) tensors * members));
    }

    /** {@code flats} flat vectors zeroed and the {@code members} parts of each of {@code tensors} tensors copied in. */
    private static HostWork pack(long bytes, int members, int tensors, int flats) {
        return new HostWork(3.0 * bytes, flats + (long) tensors * members);
    }

    private static HostWork pass(long bytes, int members, int collectives, int movedPerByte) {
        if (members < 2 || bytes == 0) {
            return NONE;
        }
        return new HostWork(movedPerByte * (members - 1.0) / members * bytes, (long) collectives * (members - 1));
    }

    /**
     * Seconds of this work on {@code device}, memory bound: {@code calls x callSeconds + bytes / rate}, the rate the
     * device's host copies were measured at ({@link DeviceProfile#hostCopyBytesPerSecond}), else the roofline of
     * element-wise kernels, {@code bandwidth x eff(bytes per call)}.
     */
    public double seconds(DeviceProfile device, double callSeconds) {
        if (kernelCalls == 0) {
            return 0;
        }
        double perCall = bytesMoved / kernelCalls;
        double rate = device.hostCopyBytesPerSecond() > 0 ? device.hostCopyBytesPerSecond()
                : device.memoryBandwidthBytesPerSecond() * device.memoryEfficiency().at(perCall);
        return kernelCalls * callSeconds + (perCall == 0 ? 0 : bytesMoved / rate);
    }

    /** Both works, one after the other. */
    public HostWork plus(HostWork other) {
        return new HostWork(bytesMoved + other.bytesMoved, kernelCalls + other.kernelCalls);
    }
}
