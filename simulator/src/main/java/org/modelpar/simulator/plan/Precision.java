package org.modelpar.simulator.plan;

import java.util.Arrays;

/** Training precision: fp32, or mixed precision with bf16/fp16 compute and fp32 master weights. */
public enum Precision {
    FP32("fp32", 4),
    BF16("bf16", 2),
    FP16("fp16", 2);

    private final String jsonName;
    private final int computeBytes;

    Precision(String jsonName, int computeBytes) {
        this.jsonName = jsonName;
        this.computeBytes = computeBytes;
    }

    /** The name used in files and on the command line. */
    public String jsonName() {
        return jsonName;
    }

    /** Bytes of one value in compute precision (weights, activations, gradients as computed). */
    public int computeBytes() {
        return computeBytes;
    }

    public boolean mixed() {
        return this != FP32;
    }

    public static Precision parse(String name) {
        return Arrays.stream(values()).filter(p -> p.jsonName.equals(name)).findFirst()
                .orElseThrow(() -> new PlanException("precision must be one of fp32, bf16, fp16, got '" + name + "'"));
    }
}
