package org.modelpar.simulator.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.modelpar.simulator.program.AllGather;
import org.modelpar.simulator.program.Collective;
import org.modelpar.simulator.program.ExpertAllToAll;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.TensorCollective;

/**
 * The dependency edges of one device's instructions, added in program order: the compute stream runs one instruction
 * after another; a receive or collective gates the next compute instruction (an overlapped all-reduce only the
 * optimizer step, a prefetch the compute after the next); a send waits for the compute before it (or the tensor and
 * expert collectives after that compute); parameter gathers run one after another, and so do the collectives that
 * hold the compute thread ({@link SharedCompute}). Open gate edges are kept last in {@link Edges}, from
 * {@code openStart}, until the compute instruction they gate arrives.
 */
final class DeviceOrder {
    private final CompiledProgram c;
    private final Edges edges;
    private final boolean sharedHost;
    private int lastCompute = -1;
    private final int[] pass = new int[2]; // the tensor and expert collectives after lastCompute: sends wait for them
    private int passCount;
    private int openStart;
    private final List<Integer> overlapped = new ArrayList<>();
    private final List<Integer> beforeBackward = new ArrayList<>(); // overlapped collectives whose backward comes next
    private final List<Integer> prefetched = new ArrayList<>(); // gate the compute after the next one
    private int lastGather = -1; // the device's parameter gathers run one after another (one all-gather stream)
    private int lastUnitReduce = -1; // so do the collectives that hold its compute thread (SharedCompute)

    /** @param sharedHost whether the device's node shares its cores among its workers (a computeCapacity entry) */
    DeviceOrder(CompiledProgram c, Edges edges, boolean sharedHost) {
        this.c = c;
        this.edges = edges;
        this.sharedHost = sharedHost;
        this.openStart = edges.count();
    }

    /** Adds the edges of instruction {@code g}, {@code ins}, whose kind is already compiled. */
    void add(int g, Instruction ins) {
        byte k = c.kind[g];
        if (c.onComputeStream(g)) {
            computeStream(g, k);
        } else if (k == CompiledProgram.SEND || k == CompiledProgram.COLLECTIVE) {
            if (ins instanceof Collective col && col.waitsForReceives()) {
                for (int e = openStart; e < edges.count(); e++) {
                    if (c.kind[edges.source(e)] == CompiledProgram.RECV) {
                        edges.target(e, g); // the receives gate this collective, which gates the next compute
                        c.pending[g]++;
                        edges.swap(openStart++, e);
                    }
                }
            }
            boolean afterPass = k == CompiledProgram.SEND && passCount > 0;
            for (int e = 0; lastCompute >= 0 && e < (afterPass ? passCount : 1); e++) {
                after(afterPass ? pass[e] : lastCompute, g);
            }
        }
        if (ins instanceof TensorCollective tc && !tc.atStepEnd() || ins instanceof ExpertAllToAll) {
            pass[passCount++] = g;
        }
        if (ins instanceof Collective a && a.prefetches() && lastGather >= 0) {
            after(lastGather, g);
        }
        if (ins instanceof AllGather) {
            lastGather = g;
        }
        if (SharedCompute.holdsComputeThread(ins, sharedHost)) {
            if (lastUnitReduce >= 0) {
                after(lastUnitReduce, g);
            }
            lastUnitReduce = g;
        }
        if (SharedCompute.runsBesideCompute(ins, sharedHost)) {
            overlapped.add(g);
            if (ins instanceof Collective col && col.awaitsNextBackward()) {
                beforeBackward.add(g);
            }
        } else if (ins instanceof Collective a && a.prefetches()) {
            prefetched.add(g);
        } else if (k == CompiledProgram.RECV || k == CompiledProgram.COLLECTIVE) {
            edges.add(g, -1); // gate edge, its target is the next compute instruction
        }
    }

    /** Leaves the gate edges of communication with no compute after it without a target. */
    void close() {
        for (int e = openStart; e < edges.count(); e++) {
            edges.target(e, -1);
        }
    }

    private void computeStream(int g, byte k) {
        for (int a : beforeBackward) {
            if (c.tailGate == null) {
                c.tailGate = new int[c.count];
                Arrays.fill(c.tailGate, -1);
            }
            c.tailGate[a] = g;
        }
        beforeBackward.clear();
        for (int e = openStart; e < edges.count(); e++) {
            edges.target(e, g); // the open comm instructions gate this compute instruction
        }
        c.pending[g] = edges.count() - openStart;
        if (lastCompute >= 0) {
            edges.add(lastCompute, g);
            c.pending[g]++;
        }
        lastCompute = g;
        passCount = 0;
        openStart = edges.count();
        if (k == CompiledProgram.OPTIMIZER) {
            for (int a : overlapped) {
                edges.add(a, g); // an all-reduce overlapping the backward gates only the optimizer step
                c.pending[g]++;
            }
            overlapped.clear();
            openStart = edges.count();
        }
        for (int p : prefetched) {
            edges.add(p, -1); // a prefetch skipped this compute: it gates the next one
        }
        prefetched.clear();
    }

    /**
     * Makes instruction {@code g} start after instruction {@code before} ends, keeping the open gate edges last.
     */
    private void after(int before, int g) {
        edges.add(before, g);
        c.pending[g]++;
        edges.swap(openStart, edges.count() - 1);
        openStart++;
    }
}
