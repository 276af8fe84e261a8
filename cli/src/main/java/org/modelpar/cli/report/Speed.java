package org.modelpar.cli.report;

import java.util.OptionalLong;

/**
 * How fast the simulated step is, in the figures papers compare: samples and tokens per second, TFLOP/s per
 * device and model FLOPs utilization (MFU: the model's FLOPs per second, without recomputation, over the
 * device's peak; Chowdhery et al., "PaLM", 2022, appendix B).
 *
 * @param samplesPerSecond      simulated throughput
 * @param tokensPerSample       tokens per sample of a sequence model, if it has one length
 * @param tflopsPerDevice       executed TFLOP/s per device (recomputation included)
 * @param modelTflopsPerDevice  the model's TFLOP/s per device
 * @param peakTflopsPerDevice   the first device's peak at the plan's precision, NaN when its profile has none
 */
public record Speed(double samplesPerSecond, OptionalLong tokensPerSample, double tflopsPerDevice, double modelTflopsPerDevice,
                    double peakTflopsPerDevice) {
    /** Model FLOPs utilization, NaN without a peak. */
    public double mfu() {
        return peakTflopsPerDevice > 0 ? modelTflopsPerDevice / peakTflopsPerDevice : Double.NaN;
    }
}
