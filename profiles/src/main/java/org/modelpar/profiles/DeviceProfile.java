package org.modelpar.profiles;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one accelerator can do ({@code modelpar-device/1}, docs/profiles.md#file-formats).
 *
 * @param name                          device type name, e.g. {@code a100-sxm4-80gb}
 * @param peakFlopsPerSecond            peak FLOP/s per dtype ({@code fp32}, {@code bf16}, {@code fp16}, ...)
 * @param memoryBytes                   usable device memory
 * @param memoryBandwidthBytesPerSecond peak memory bandwidth
 * @param matmulEfficiency              fraction of peak FLOP/s reached vs FLOPs of one kernel
 * @param memoryEfficiency              fraction of peak bandwidth reached vs bytes moved by one kernel
 * @param kernelLaunchSeconds           fixed cost of starting one kernel (GPU launch latency, or one ND4J call's
 *                                      dispatch and output allocation on a CPU worker), charged per launch on
 *                                      top of the efficiency curves; 0 where the curves already carry it
 * @param hostCallSeconds               fixed cost of one host call of a collective that allocates nothing (a view of
 *                                      a flat buffer assigned a tensor: how collectives flatten, copy back and pack
 *                                      ZeRO's parts); {@code kernelLaunchSeconds} where it was not measured
 * @param hostCopyBytesPerSecond        bytes a second those host calls move beyond their fixed cost (a read and a write
 *                                      counted), as measured on tensors of a model's sizes; 0 where not measured: the
 *                                      element-wise bandwidth and its efficiency curve then price them
 * @param optimizerSecondsPerParameter  measured seconds of one optimizer step per parameter, by optimizer
 *                                      ({@code adam}, {@code sgd}), on one large tensor; empty where the
 *                                      step is estimated from the memory bandwidth (an optimizer's fused
 *                                      kernel reaches a fraction of a plain copy's bandwidth on a CPU)
 * @param kernelLaunches                the kernels the device's runtime starts per op kind and optimizer
 *                                      tensor ({@link KernelLaunches#NONE} where it lists none)
 * @param source                        where the numbers come from (datasheet, measurement)
 */
public record DeviceProfile(String name, Map<String, Double> peakFlopsPerSecond, long memoryBytes,
                            double memoryBandwidthBytesPerSecond, EfficiencyCurve matmulEfficiency,
                            EfficiencyCurve memoryEfficiency, double kernelLaunchSeconds, double hostCallSeconds,
                            double hostCopyBytesPerSecond, Map<String, Double> optimizerSecondsPerParameter,
                            KernelLaunches kernelLaunches, String source) {
    public DeviceProfile {
        if (name == null || name.isBlank()) {
            throw new ProfileException("device name must be a non-empty string, got '" + name + "'");
        }
        String where = "device '" + name + "': ";
        if (peakFlopsPerSecond == null || peakFlopsPerSecond.isEmpty()) {
            throw new ProfileException(where + "peakFlopsPerSecond needs at least one dtype");
        }
        peakFlopsPerSecond.forEach((dtype, flops) -> {
            if (flops == null || !Double.isFinite(flops) || flops <= 0) {
                throw new ProfileException(where + "peakFlopsPerSecond." + dtype + " must be finite and positive, got " + flops);
            }
        });
        peakFlopsPerSecond = Collections.unmodifiableMap(new TreeMap<>(peakFlopsPerSecond));
        if (memoryBytes <= 0) {
            throw new ProfileException(where + "memoryBytes must be positive, got " + memoryBytes);
        }
        if (!Double.isFinite(memoryBandwidthBytesPerSecond) || memoryBandwidthBytesPerSecond <= 0) {
            throw new ProfileException(where + "memoryBandwidthBytesPerSecond must be finite and positive, got "
                    + memoryBandwidthBytesPerSecond);
        }
        if (matmulEfficiency == null || memoryEfficiency == null) {
            throw new ProfileException(where + "matmulEfficiency and memoryEfficiency are required");
        }
        if (!Double.isFinite(kernelLaunchSeconds) || kernelLaunchSeconds < 0) {
            throw new ProfileException(where + "kernelLaunchSeconds must be finite and non-negative, got "
                    + kernelLaunchSeconds);
        }
        if (!Double.isFinite(hostCallSeconds) || hostCallSeconds < 0) {
            throw new ProfileException(where + "hostCallSeconds must be finite and non-negative, got " + hostCallSeconds);
        }
        if (!Double.isFinite(hostCopyBytesPerSecond) || hostCopyBytesPerSecond < 0) {
            throw new ProfileException(where + "hostCopyBytesPerSecond must be finite and non-negative, got "
                    + hostCopyBytesPerSecond);
        }
        optimizerSecondsPerParameter = optimizerSecondsPerParameter == null ? Map.of() : optimizerSecondsPerParameter;
        optimizerSecondsPerParameter.forEach((optimizer, seconds) -> {
            if (optimizer.isBlank() || seconds == null || !Double.isFinite(seconds) || seconds <= 0) {
                throw new ProfileException(where + "optimizerSecondsPerParameter." + optimizer
                        + " must be finite and positive, got " + seconds);
            }
        });
        optimizerSecondsPerParameter = Collections.unmodifiableMap(new TreeMap<>(optimizerSecondsPerParameter));
        kernelLaunches = kernelLaunches == null ? KernelLaunches.NONE : kernelLaunches;
        source = source == null ? "" : source;
    }

    /** A device whose host copies were not measured (the element-wise bandwidth prices them). */
    public DeviceProfile(String name, Map<String, Double> peakFlopsPerSecond, long memoryBytes,
                         double memoryBandwidthBytesPerSecond, EfficiencyCurve matmulEfficiency,
                         EfficiencyCurve memoryEfficiency, double kernelLaunchSeconds, double hostCallSeconds,
                         Map<String, Double> optimizerSecondsPerParameter, KernelLaunches kernelLaunches, String source) {
        this(name, peakFlopsPerSecond, memoryBytes, memoryBandwidthBytesPerSecond, matmulEfficiency, memoryEfficiency,
                kernelLaunchSeconds, hostCallSeconds, 0, optimizerSecondsPerParameter, kernelLaunches, source);
    }

    /** A device whose host calls were not measured: each costs a kernel launch. */
    public DeviceProfile(String name, Map<String, Double> peakFlopsPerSecond, long memoryBytes,
                         double memoryBandwidthBytesPerSecond, EfficiencyCurve matmulEfficiency,
                         EfficiencyCurve memoryEfficiency, double kernelLaunchSeconds,
                         Map<String, Double> optimizerSecondsPerParameter, KernelLaunches kernelLaunches, String source) {
        this(name, peakFlopsPerSecond, memoryBytes, memoryBandwidthBytesPerSecond, matmulEfficiency, memoryEfficiency,
                kernelLaunchSeconds, kernelLaunchSeconds, optimizerSecondsPerParameter, kernelLaunches, source);
    }

    /** A device whose runtime lists no kernel launch counts. */
    public DeviceProfile(String name, Map<String, Double> peakFlopsPerSecond, long memoryBytes,
                         double memoryBandwidthBytesPerSecond, EfficiencyCurve matmulEfficiency,
                         EfficiencyCurve memoryEfficiency, double kernelLaunchSeconds,
                         Map<String, Double> optimizerSecondsPerParameter, String source) {
        this(name, peakFlopsPerSecond, memoryBytes, memoryBandwidthBytesPerSecond, matmulEfficiency, memoryEfficiency,
                kernelLaunchSeconds, optimizerSecondsPerParameter, KernelLaunches.NONE, source);
    }

    /** This device with {@code launches} as its runtime's kernel launch counts. */
    public DeviceProfile withKernelLaunches(KernelLaunches launches) {
        return new DeviceProfile(name, peakFlopsPerSecond, memoryBytes, memoryBandwidthBytesPerSecond,
                matmulEfficiency, memoryEfficiency, kernelLaunchSeconds, hostCallSeconds, hostCopyBytesPerSecond,
                optimizerSecondsPerParameter, launches, source);
    }

    /** This device with {@code bytes} of usable memory (a budget below what it has). */
    public DeviceProfile withMemoryBytes(long bytes) {
        return new DeviceProfile(name, peakFlopsPerSecond, bytes, memoryBandwidthBytesPerSecond, matmulEfficiency,
                memoryEfficiency, kernelLaunchSeconds, hostCallSeconds, hostCopyBytesPerSecond, optimizerSecondsPerParameter,
                kernelLaunches, source);
    }

    /** A device whose optimizer steps are estimated from its memory bandwidth. */
    public DeviceProfile(String name, Map<String, Double> peakFlopsPerSecond, long memoryBytes,
                         double memoryBandwidthBytesPerSecond, EfficiencyCurve matmulEfficiency,
                         EfficiencyCurve memoryEfficiency, double kernelLaunchSeconds, String source) {
        this(name, peakFlopsPerSecond, memoryBytes, memoryBandwidthBytesPerSecond, matmulEfficiency, memoryEfficiency,
                kernelLaunchSeconds, Map.of(), source);
    }

    /** A device without a separate kernel launch cost ({@code kernelLaunchSeconds} = 0). */
    public DeviceProfile(String name, Map<String, Double> peakFlopsPerSecond, long memoryBytes,
                         double memoryBandwidthBytesPerSecond, EfficiencyCurve matmulEfficiency,
                         EfficiencyCurve memoryEfficiency, String source) {
        this(name, peakFlopsPerSecond, memoryBytes, memoryBandwidthBytesPerSecond, matmulEfficiency, memoryEfficiency,
                0, Map.of(), source);
    }

    /** Measured seconds per parameter of one step of {@code optimizer} ({@code adam}, {@code sgd}), if measured. */
    public Optional<Double> optimizerSecondsPerParameter(String optimizer) {
        return Optional.ofNullable(optimizerSecondsPerParameter.get(optimizer));
    }

    /** Peak FLOP/s for a dtype, if the device lists it. */
    public Optional<Double> peakFlops(String dtype) {
        return Optional.ofNullable(peakFlopsPerSecond.get(dtype));
    }
}
