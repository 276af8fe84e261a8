package org.modelpar.simulator.program;

import java.util.List;
import org.modelpar.simulator.cost.HostWork;

/**
 * A ring collective over a group of devices: every member's program holds the same instruction (equal
 * records), it starts once every member has finished the compute instruction before it in its own program,
 * and completes on all members together. On a ring of n devices one pass moves {@code (n-1)/n x S} bytes
 * through every hop and waits {@code n-1} link latencies (Patarasuk and Yuan, "Bandwidth optimal all-reduce
 * algorithms for clusters of workstations", JPDC 2009); an all-reduce is two passes (reduce-scatter then
 * all-gather).
 */
public sealed interface Collective extends CommunicationInstruction
        permits AllReduce, TensorCollective, ReduceScatter, AllGather, BoundaryAllGather, ExpertAllToAll, ExpertAllReduce {
    /** Device ids of the group, in ring order. */
    List<String> group();

    /** Ring passes of one collective: 2 for an all-reduce, 1 for a reduce-scatter or an all-gather. */
    int ringPasses();

    /**
     * The element-wise work each member does on its host ({@link HostWork}): an all-reduce's (two ring passes) by
     * default, else an all-gather's (what an all-to-all receives is copied the same way).
     */
    default HostWork hostWork() {
        int n = group().size();
        return ringPasses() == 2 ? HostWork.allReduce(bytes(), n, collectives()) : HostWork.allGather(bytes(), n, collectives());
    }

    /** Bytes per member the collective works on (an all-gather's: the gathered size). */
    long bytes();

    /** Collectives this instruction stands for, run back to back (each waits its own latencies); 1 by default. */
    default int collectives() {
        return 1;
    }

    /**
     * Whether it is placed before the step's last backward and runs during it (bucketed gradient reduction, as
     * PyTorch DDP does): it then gates only the {@link OptimizerStep}, not the compute instructions after it.
     */
    default boolean overlapsBackward() {
        return false;
    }

    /**
     * Whether, overlapping the backward, its last bucket holds the gradients the backward after it completes last, so
     * that bucket runs once that backward ends; not so for a reduction placed after the pass that completes its
     * gradients (a ZeRO unit's reduce-scatter).
     */
    default boolean awaitsNextBackward() {
        return overlapsBackward();
    }

    /**
     * Whether it also waits for the {@link Recv}s placed before it (it works on what they received, as a
     * {@link BoundaryAllGather} does); they then gate the next compute instruction through it.
     */
    default boolean waitsForReceives() {
        return false;
    }

    /**
     * Whether it prefetches (ZeRO-3's gather of the next unit): it also waits for the device's previous
     * parameter {@link AllGather}, and gates the compute instruction after the next one instead of the next one.
     */
    default boolean prefetches() {
        return false;
    }
}
