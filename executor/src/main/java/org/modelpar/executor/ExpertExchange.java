package org.modelpar.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.ExpertGroup;
import org.modelpar.executor.transport.Message;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.program.DeviceProgram;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A device's expert-parallel group over the run's transport: replica r of a stage is member {@code r mod e} of the
 * replicas {@code [e floor(r / e), e floor(r / e) + e)} (with the same tensor rank), as the simulator's lowering groups
 * them. Posted parts are copied out of the kernel call's scope (they outlive it in flight). It times its exchanges
 * ({@link #takeNanos}), so that the interpreter records them as the program's {@code ExpertAllToAll} instead of inside
 * the compute that ran them.
 */
final class ExpertExchange implements ExpertGroup, CollectiveClock {
    private final String device;
    private final List<String> members;
    private final RunContext run;
    private long busyNanos;

    private ExpertExchange(String device, List<String> members, RunContext run) {
        this.device = device;
        this.members = List.copyOf(members);
        this.run = run;
    }

    /** The group of {@code p}'s device. */
    static ExpertExchange of(PlacementPlan plan, DeviceProgram p, RunContext run) {
        int e = plan.options().expertParallel();
        int t = plan.tensorParallel();
        List<String> devices = plan.stages().get(p.stage()).devices();
        int first = p.replica() - member(p, plan);
        List<String> members = new ArrayList<>(e);
        for (int m = 0; m < e; m++) {
            members.add(devices.get((first + m) * t + p.tensorRank()));
        }
        return new ExpertExchange(p.device(), members, run);
    }

    /** The member index of {@code p}'s device in its group: its replica index mod e. */
    static int member(DeviceProgram p, PlacementPlan plan) {
        return p.replica() % plan.options().expertParallel();
    }

    @Override
    public int size() {
        return members.size();
    }

    @Override
    public int member() {
        return members.indexOf(device);
    }

    @Override
    public void post(int to, String tag, INDArray part) {
        long start = run.ticker().nanos();
        send(members.get(to), tag, heapCopy(part));
        busyNanos += run.ticker().nanos() - start;
    }

    @Override
    public INDArray take(int from, String tag) {
        long start = run.ticker().nanos();
        INDArray out = receive(members.get(from), tag);
        busyNanos += run.ticker().nanos() - start;
        return out;
    }

    @Override
    public List<INDArray> collect(String tag, INDArray own) {
        List<INDArray> out = new ArrayList<>(members.size());
        for (int m = 0; m < members.size(); m++) {
            out.add(members.get(m).equals(device) ? own : take(m, tag));
        }
        return out;
    }

    /** A copy of {@code part} on the heap, outside every workspace: the kernel's scope and the stage's pool may reuse its memory. */
    private static INDArray heapCopy(INDArray part) {
        try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return part.dup();
        }
    }

    private void send(String to, String tag, INDArray values) {
        try {
            run.transport().send(Message.of(new Message.Key(device, to, tag), Map.of("t", values)), run.control());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunControl.Aborted();
        }
    }

    private INDArray receive(String from, String tag) {
        try {
            Message m = run.transport().receive(new Message.Key(from, device, tag), run.control());
            INDArray t = m.tensors().get("t");
            INDArray copy = t.dup();
            run.transport().release(List.of(t));
            return copy;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunControl.Aborted();
        }
    }

    @Override
    public long takeNanos() {
        long out = busyNanos;
        busyNanos = 0;
        return out;
    }
}
