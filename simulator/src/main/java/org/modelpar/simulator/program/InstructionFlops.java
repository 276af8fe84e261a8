package org.modelpar.simulator.program;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.cost.BackwardSplit;
import org.modelpar.simulator.plan.ParameterUnit;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.StageActivations;

/**
 * The FLOPs of every compute instruction on its device: the one owner of per-instruction FLOPs, for the engine's
 * executed and model FLOPs and for the FLOPs a trace gives each compute span. A pass of a stage (or a ZeRO-3 unit's
 * part of it) does its ops' FLOPs per sample x the replica's samples of a micro-batch / t: a forward their forward
 * FLOPs, a backward their backward FLOPs, an input-gradient pass the backward's less the weight gradient's
 * ({@link BackwardSplit}), a weight-gradient pass the rest. Executed FLOPs add, to a recomputing backward, the forward
 * FLOPs of the ops its stage's mode recomputes; model FLOPs do not. Other instructions do none.
 */
public final class InstructionFlops {
    private final PlanLayout layout;
    private final Map<Integer, Work[]> byStage = new HashMap<>();

    public InstructionFlops(PlanLayout layout) {
        this.layout = layout;
    }

    /** FLOPs of one set of ops on one device for one micro-batch. */
    private record Work(double forward, double backward, double recompute, double weightGradient) {
    }

    /** Model FLOPs of {@code instruction}: without recomputation. */
    public double model(Instruction instruction) {
        if (!(instruction instanceof Compute c)) {
            return 0;
        }
        Work w = work(c);
        return switch (c.direction()) {
            case FORWARD -> w.forward();
            case BACKWARD -> w.backward();
            case INPUT_GRADIENT -> w.backward() - w.weightGradient();
            case WEIGHT_GRADIENT -> w.weightGradient();
        };
    }

    /** Executed FLOPs of {@code instruction}: a recomputing backward's recomputed forward included. */
    public double executed(Instruction instruction) {
        double model = model(instruction);
        return instruction instanceof Compute c && c.direction() == Direction.BACKWARD ? model + work(c).recompute() : model;
    }

    private Work work(Compute c) {
        Work[] w = byStage.computeIfAbsent(c.stage(), this::stageWork);
        return c.parts() == 1 ? w[0] : w[c.part() + 1];
    }

    /** The whole stage's work, then each parameter unit's (ZeRO stage 3 runs a pass unit by unit). */
    private Work[] stageWork(int stage) {
        List<ParameterUnit> units = ParameterUnit.of(layout, stage);
        Work[] w = new Work[units.size() + 1];
        w[0] = work(stage, layout.stage(stage).ops());
        for (int u = 0; u < units.size(); u++) {
            w[u + 1] = work(stage, units.get(u).ops());
        }
        return w;
    }

    private Work work(int stage, List<OpNode> ops) {
        double samples = layout.samplesPerReplica(stage);
        int t = layout.plan().tensorParallel();
        Recompute mode = layout.plan().stages().get(stage).recomputation();
        StageActivations acts = layout.stage(stage).activations();
        return new Work(ops.stream().mapToDouble(OpNode::forwardFlops).sum() * samples / t,
                ops.stream().mapToDouble(OpNode::backwardFlops).sum() * samples / t,
                ops.stream().filter(op -> acts.recomputes(mode, op.id())).mapToDouble(OpNode::forwardFlops).sum() * samples / t,
                ops.stream().mapToDouble(BackwardSplit::weightGradientFlops).sum() * samples / t);
    }
}
