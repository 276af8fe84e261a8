package org.modelpar.simulator.program;

/**
 * One instruction of a device's program. Compute-stream instructions ({@link Compute},
 * {@link OptimizerStep}, {@link Free}) run in program order on the device's compute stream;
 * communication instructions ({@link Send}, {@link Recv}, {@link AllReduce}) run in program order on its
 * communication stream, each after the compute instruction that precedes it in the program.
 */
public sealed interface Instruction permits Compute, Send, Recv, AllReduce, OptimizerStep, Free {
    /** Stable name shared by simulated and measured traces, carrying stage, micro-batch and direction. */
    String name();

    /** The stage this instruction belongs to. */
    int stage();
}
