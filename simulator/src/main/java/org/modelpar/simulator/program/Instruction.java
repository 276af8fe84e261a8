package org.modelpar.simulator.program;

/**
 * One instruction of a device's program. Stream rules, shared by the simulator's engine and the
 * executor's interpreter (see {@link Lowering} for the order the lowering emits):
 * <ul>
 *   <li>Compute-stream instructions ({@link Compute}, {@link OptimizerStep}, {@link Free}) run one after
 *       another in program order on the device's compute stream, each after every {@link Recv} and
 *       {@link Collective} placed before it in the program has completed (a collective with
 *       {@code overlapsBackward} gates only the {@link OptimizerStep}).</li>
 *   <li>A {@link Send} starts once the compute instruction before it in the program has finished, and the
 *       {@link TensorCollective} and {@link ExpertAllToAll} after that compute if there are; sends are
 *       non-blocking and may overlap each other and later compute (the communication stream).</li>
 *   <li>A {@link Recv} completes when its matching {@link Send} has arrived: the k-th send from device a to
 *       device b with a payload matches the k-th recv on b from a with that payload (MPI message order).</li>
 *   <li>A {@link Collective} ({@link AllReduce}, {@link TensorCollective}, {@link ReduceScatter},
 *       {@link AllGather}, {@link ExpertAllToAll}, {@link ExpertAllReduce}) starts once every member of its group has finished the compute instruction before
 *       it in its own program, and completes on all members together.</li>
 * </ul>
 */
public sealed interface Instruction permits ComputeInstruction, CommunicationInstruction {
    /** Stable name shared by simulated and measured traces, carrying stage, micro-batch and direction. */
    String name();

    /** The stage this instruction belongs to. */
    int stage();

    /** The stream it runs on: the one place that says whether an instruction is compute or communication. */
    Stream stream();

    /** Bytes it moves between devices (a message or a device's share of a collective); 0 on the compute stream. */
    long bytes();
}
