package org.modelpar.simulator.program;

/** The stream of its device an instruction runs on (see {@link Instruction} for the rules of each). */
public enum Stream {
    /** In program order, one after another: forward, backward, free, optimizer. */
    COMPUTE,
    /** Non-blocking transfers that may overlap each other and compute: send, receive, all-reduce. */
    COMMUNICATION
}
