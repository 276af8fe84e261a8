package org.modelpar.executor;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Free;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.OptimizerStep;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.StepProgram;

/**
 * Hand-built step programs (GPipe and 1F1B with data-parallel stages) for testing the interpreter
 * independently of the simulator's lowering.
 */
public final class TestPrograms {
    private TestPrograms() {
    }

    public static StepProgram lower(PlacementPlan plan) {
        List<DeviceProgram> programs = new ArrayList<>();
        for (int s = 0; s < plan.pipelineStages(); s++) {
            List<String> devices = plan.stages().get(s).devices();
            for (int r = 0; r < devices.size(); r++) {
                programs.add(new DeviceProgram(devices.get(r), s, r, 0, program(plan, s, r)));
            }
        }
        return new StepProgram(plan, programs);
    }

    private static List<Instruction> program(PlacementPlan plan, int s, int r) {
        int p = plan.pipelineStages();
        int m = plan.microBatches();
        List<Instruction> out = new ArrayList<>();
        List<Runnable> order = new ArrayList<>();
        int warmup = plan.schedule() == Schedule.GPIPE ? m : Math.min(p - s - 1, m);
        int f = 0;
        int b = 0;
        for (; f < warmup; f++) {
            forward(plan, s, r, f, out);
        }
        while (b < m) {
            if (f < m) {
                forward(plan, s, r, f++, out);
            }
            backward(plan, s, r, b++, out);
        }
        List<String> devices = plan.stages().get(s).devices();
        if (devices.size() > 1) {
            out.add(new AllReduce(s, devices, 4096));
        }
        out.add(new OptimizerStep(s));
        return out;
    }

    private static void forward(PlacementPlan plan, int s, int r, int mb, List<Instruction> out) {
        if (s > 0) {
            exchange(plan, s - 1, s, r, mb, Payload.ACTIVATION, false, out);
        }
        out.add(new Compute(s, mb, Direction.FORWARD, plan.stages().get(s).recompute()));
        if (s < plan.pipelineStages() - 1) {
            exchange(plan, s, s + 1, r, mb, Payload.ACTIVATION, true, out);
        }
    }

    private static void backward(PlacementPlan plan, int s, int r, int mb, List<Instruction> out) {
        if (s < plan.pipelineStages() - 1) {
            exchange(plan, s + 1, s, r, mb, Payload.GRADIENT, false, out);
        }
        out.add(new Compute(s, mb, Direction.BACKWARD, plan.stages().get(s).recompute()));
        if (s > 0) {
            exchange(plan, s, s - 1, r, mb, Payload.GRADIENT, true, out);
        }
        out.add(new Free(s, mb));
    }

    /** Messages between replicas of two stages whose sample ranges overlap. */
    private static void exchange(PlacementPlan plan, int from, int to, int myReplica, int mb, Payload payload,
                                 boolean sending, List<Instruction> out) {
        int b = plan.microBatchSize();
        List<String> fromDevs = plan.stages().get(from).devices();
        List<String> toDevs = plan.stages().get(to).devices();
        int df = fromDevs.size();
        int dt = toDevs.size();
        for (int i = 0; i < df; i++) {
            for (int j = 0; j < dt; j++) {
                if ((sending ? i : j) != myReplica) {
                    continue;
                }
                int lo = Math.max(i * b / df, j * b / dt);
                int hi = Math.min((i + 1) * b / df, (j + 1) * b / dt);
                if (lo >= hi) {
                    continue;
                }
                out.add(sending
                        ? new Send(from, to, mb, payload, toDevs.get(j), 1024, lo, hi - lo)
                        : new Recv(to, from, mb, payload, fromDevs.get(i), 1024, lo, hi - lo));
            }
        }
    }
}
