package org.modelpar.simulator.program;

/** What a point-to-point message carries: forward activations or backward gradients. */
public enum Payload {
    ACTIVATION("act"),
    GRADIENT("grad");

    private final String shortName;

    Payload(String shortName) {
        this.shortName = shortName;
    }

    public String shortName() {
        return shortName;
    }
}
