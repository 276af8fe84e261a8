package org.modelpar.executor;

/** What a live tensor on a device is, for the memory ledger's breakdown. */
public enum MemoryCategory {
    PARAMETERS, GRADIENTS, OPTIMIZER, ACTIVATIONS, MESSAGES,
    /** The temporaries of the running instruction in the worker's scratch workspace ({@link Scratch}). */
    WORKSPACE
}
