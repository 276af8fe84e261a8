package org.modelpar.executor.profile;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Times a collective's host work as the executor does it: every tensor copied into one flat vector and back, as the
 * ring all-reduce flattens a stage's gradients and copies the sum back and as ZeRO packs its parts
 * ({@code RingCollectives}, {@code ZeroShards}), {@code 2} calls a tensor (a view of the flat vector assigned a
 * reshaped tensor, or the reverse) moving {@code 4 S} bytes (a read and a write each way). On tensors too small for their
 * bytes to count ({@link #tiny}) a round gives the cost of a call; on tensors of a model's sizes, less its calls, the
 * cost of a byte ({@link #rate}). The simulator prices host work at so many calls plus its bytes
 * ({@code HostWork}); a kernel's launch, which allocates its result, costs more than such a call (the small gpt: 22.9 us
 * against 6-8 us a call measured in its ZeRO all-gathers), and the element-wise bandwidth, taken from one kernel
 * repeated on the same arrays, priced the bytes 3-4x fast (the mlp's 1.3 MB of gradients in 10 tensors took 0.9 ms to
 * flatten and copy back in a step on two worker processes, priced 0.23 ms).
 */
final class HostCopies {
    private static final int TINY_TENSORS = 64;
    private static final int TINY_SIDE = 4;
    /** The profile's tensors for the copy rate: as many as a small model's stage holds, each of a 256-wide layer's weights. */
    private static final int PROFILE_TENSORS = 8;
    private static final int PROFILE_SIDE = 256;
    private final List<INDArray> tensors;
    private final INDArray flat;
    private final double bytesMoved;

    /** @param tensors the tensors to copy (of one type), in name order as the all-reduce packs them */
    HostCopies(Map<String, INDArray> tensors) {
        this.tensors = List.copyOf(new TreeMap<>(tensors).values());
        long length = this.tensors.stream().mapToLong(INDArray::length).sum();
        this.flat = this.tensors.isEmpty() ? Nd4j.empty() : Nd4j.zeros(this.tensors.get(0).dataType(), length);
        this.bytesMoved = 4.0 * this.tensors.stream().mapToDouble(t -> (double) t.length() * t.dataType().width()).sum();
    }

    /** Copies of {@code count} random {@code side x side} tensors of {@code type}. */
    private static HostCopies of(int count, int side, DataType type) {
        Map<String, INDArray> tensors = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            tensors.put(String.format("t%03d", i), Nd4j.rand(DataType.FLOAT, side, side).castTo(type));
        }
        return new HostCopies(tensors);
    }

    /** Copies of 64 tensors of 4 x 4 in {@code type}: a round's time is its calls'. */
    static HostCopies tiny(DataType type) {
        return of(TINY_TENSORS, TINY_SIDE, type);
    }

    /** The device profile's host call ({@code hostCallSeconds}): the median of {@code timing}'s rounds of fp32 {@link #tiny} copies, per call. */
    static double callSeconds(Timing timing) {
        HostCopies calls = tiny(DataType.FLOAT);
        return timing.typicalSeconds(calls::sample) / calls.calls();
    }

    /**
     * The device profile's host copy rate ({@code hostCopyBytesPerSecond}): bytes a second moved by the median of
     * {@code timing}'s rounds on fp32 tensors of a small model's sizes, net of their calls at {@code callSeconds}; 0
     * where the calls take the whole round.
     */
    static double bytesPerSecond(Timing timing, double callSeconds) {
        HostCopies copies = of(PROFILE_TENSORS, PROFILE_SIDE, DataType.FLOAT);
        double perByte = copies.rate(timing.typicalSeconds(copies::sample), callSeconds).secondsPerByte();
        return perByte > 0 ? 1 / perByte : 0;
    }

    /** Seconds of one round: every tensor copied into the flat vector and back. */
    double sample() {
        long start = System.nanoTime();
        long offset = 0;
        for (INDArray t : tensors) {
            flat.get(NDArrayIndex.interval(offset, offset + t.length())).assign(t.reshape(t.length()));
            offset += t.length();
        }
        offset = 0;
        for (INDArray t : tensors) {
            t.assign(flat.get(NDArrayIndex.interval(offset, offset + t.length())).reshape(t.shape()));
            offset += t.length();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** The host calls of a round: one a tensor each way. */
    long calls() {
        return 2L * tensors.size();
    }

    /** The bytes a round reads and writes. */
    double bytesMoved() {
        return bytesMoved;
    }

    /**
     * The rate of rounds that took {@code roundSeconds} with calls of {@code callSeconds}: the calls at that cost, the
     * rest per byte moved (none where the calls take it all, or nothing moves).
     */
    CalibratedCostModel.HostRate rate(double roundSeconds, double callSeconds) {
        double rest = Math.max(0, roundSeconds - calls() * callSeconds);
        return new CalibratedCostModel.HostRate(callSeconds, bytesMoved == 0 ? 0 : rest / bytesMoved);
    }
}
