package org.modelpar.executor.profile;

import java.util.List;
import org.modelpar.profiles.ClusterSpec;

/**
 * What the profiler measured.
 *
 * @param cluster   the {@code modelpar-cluster/1} spec of this machine's workers
 * @param matmul    (FLOPs, seconds) of square matrix products, launch included
 * @param elementwise (bytes moved, seconds) of element-wise additions, launch included
 * @param transfers messages between two worker threads (the in-process transport)
 * @param processTransfers messages between two worker processes (gRPC on loopback)
 * @param kernels   kernel kind timings
 * @param kernelLaunchSeconds median seconds of a tiny ND4J call (the device profile's launch cost)
 */
public record ProfileResult(ClusterSpec cluster, List<Sample> matmul, List<Sample> elementwise, List<Transfer> transfers,
                            List<Transfer> processTransfers, List<KernelTime> kernels, double kernelLaunchSeconds) {
    public ProfileResult {
        matmul = List.copyOf(matmul);
        elementwise = List.copyOf(elementwise);
        transfers = List.copyOf(transfers);
        processTransfers = List.copyOf(processTransfers);
        kernels = List.copyOf(kernels);
    }

    /** One measured size. */
    public record Sample(double size, double seconds) {
    }

    /** One measured message size: one-way seconds (half the median round trip) and half the round trips' interquartile range. */
    public record Transfer(double bytes, double seconds, double spreadSeconds) {
        /** As a sample of the link fit. */
        public Sample sample() {
            return new Sample(bytes, seconds);
        }
    }

    /** Forward + backward time of one kernel kind at one size (rows x width). */
    public record KernelTime(String kind, long rows, long width, double forwardSeconds, double backwardSeconds) {
    }
}
