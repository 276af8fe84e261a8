package org.modelpar.simulator.program;

/** Forward or backward pass of a stage. */
public enum Direction {
    FORWARD("F"),
    BACKWARD("B");

    private final String shortName;

    Direction(String shortName) {
        this.shortName = shortName;
    }

    public String shortName() {
        return shortName;
    }
}
