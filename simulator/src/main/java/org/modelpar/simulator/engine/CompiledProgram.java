package org.modelpar.simulator.engine;

import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.StepProgram;

/**
 * A step program flattened into arrays for the engine: instructions of all devices concatenated in
 * program order, with their durations, memory effects, dependency counts and successors (CSR).
 */
final class CompiledProgram {
    static final byte COMPUTE = 0;
    static final byte FREE = 1;
    static final byte OPTIMIZER = 2;
    static final byte SEND = 3;
    static final byte RECV = 4;
    static final byte COLLECTIVE = 5;

    StepProgram program;
    int deviceCount;
    /** First instruction of each device; {@code deviceFirst[deviceCount] == count}. */
    int[] deviceFirst;
    String[] deviceIds;
    long[] capacityBytes;
    MemoryBreakdown[] fixedMemory;
    double[] executedFlops;
    double[] modelFlops;
    double[] resourceCapacity;

    int count;
    Instruction[] instructions;
    byte[] kind;
    /** Whether the instruction's {@link Instruction#stream()} is the compute stream. */
    boolean[] computeStream;
    int[] device;
    /** Compute-stream duration; for a send its latency. */
    double[] seconds;
    /** Bytes of a send. */
    double[] bytes;
    /**
     * For a send: how long it holds its device's compute stream ({@link org.modelpar.simulator.cost.CostModel#senderSeconds});
     * null when no send holds it.
     */
    double[] senderSeconds;
    /**
     * For a recv: how long its device takes to resume when it waited for the message
     * ({@link org.modelpar.simulator.cost.CostModel#wakeSeconds}); null when no device takes any.
     */
    double[] wakeSeconds;
    /**
     * Per device: when it begins the step ({@link org.modelpar.simulator.cost.CostModel#startSeconds}); null when every
     * device begins at once.
     */
    double[] startSeconds;
    long[] memoryAtStart;
    long[] memoryAtEnd;
    int[] pending;
    int[] successorStart;
    int[] successors;
    /** For a send: the matching recv; for a collective instance: its collective. */
    int[] partner;
    /** For a send or recv: the peer device. */
    int[] peer;
    int[][] path;
    /**
     * For a compute-stream instruction on a node whose devices share a host: its device's and its node's
     * compute resources (it runs as a flow of {@code seconds} device-seconds); null when no node is shared.
     */
    int[][] computePath;
    /**
     * For a collective instance on such a node: the seconds of its {@link org.modelpar.simulator.cost.HostWork},
     * run after its link transfer as a flow over {@link #hostPath}; 0 elsewhere (null when no node is shared).
     */
    double[] hostSeconds;
    /** The host work's resources: the device's compute thread, or its communication thread, and the node. */
    int[][] hostPath;
    /**
     * For a send, a recv and a collective instance on such a node: the CPU seconds its device's transport spends moving
     * its bytes ({@link org.modelpar.simulator.cost.CostModel#transportCpuSeconds}; a collective's for all its buckets),
     * run from the start of its transfer as a flow over its device's {@link #transportPath} that nothing waits for;
     * 0 elsewhere (null when no node is shared).
     */
    double[] transportSeconds;
    /** Per device on such a node: its transport's thread and its node; null for a device elsewhere. */
    int[][] transportPath;

    /**
     * For an instance of a collective whose last bucket waits for the backward after it ({@link
     * org.modelpar.simulator.program.Collective#awaitsNextBackward}):
     * the compute-stream instruction after it, the backward whose gradients it reduces in buckets; -1 elsewhere (null when no collective overlaps a backward). Its
     * last bucket holds the gradients that backward completes last and runs after it.
     */
    int[] tailGate;

    int collectiveCount;
    int[][] collectiveMembers;
    /** The ring collectives (buckets) each collective runs one after another. */
    int[] collectiveRings;
    double[] collectiveBytes;
    double[] collectiveLatency;
    int[][] collectivePath;

    boolean onComputeStream(int g) {
        return computeStream[g];
    }
}
