package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.program.AllGather;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Instruction;

/**
 * Which parameter units a ZeRO stage-3 device gathers, runs and frees, and when (PyTorch FSDP's pre-forward and
 * pre-backward gathers, Zhao et al., VLDB 2023, section 3.3). The forward and backward gathers are the program's (the
 * lowering's: a pass's first unit, then each next one prefetched before the part ahead of it). A recompute segment over
 * several units (full recomputation of a graph without transformer layers: the whole stage) is rebuilt when the
 * backward reaches its last unit, and its rebuild re-gathers each of its units in forward order ({@link #recompute}),
 * keeping at most {@code bound} units at once: a unit already held (the running one, the prefetched one) runs as it is;
 * another is gathered, run and freed, the running unit freed first when the bound is reached and gathered again last.
 */
public final class GatherOrder {
    private GatherOrder() {
    }

    /** The pass a unit is gathered or run for. */
    public enum Pass {
        FORWARD, RECOMPUTE, BACKWARD
    }

    /** One step of a pass's order. */
    public sealed interface Step permits Gather, Run, Release {
    }

    /** Unit {@code unit}'s parameters are all-gathered for {@code pass}; a prefetch runs beside the part ahead. */
    public record Gather(int unit, Pass pass, boolean prefetch) implements Step {
    }

    /** The ops of unit {@code unit} run in {@code pass}, with its parameters. */
    public record Run(int unit, Pass pass) implements Step {
    }

    /** Unit {@code unit}'s gathered parameters are freed. */
    public record Release(int unit) implements Step {
    }

    /**
     * The rebuild of a recompute segment over {@code segmentUnits} (in forward order, the running unit last) while
     * {@code held} units are gathered: each unit runs once, in order; one not held is gathered before it runs and freed
     * after (the running unit is kept for its backward); when {@code bound} units are held, the one needed last (the
     * running unit) is freed first and gathered again when its turn comes. Units outside {@code withParameters} need no
     * gather. The held units are held again at the end.
     *
     * @param running the unit whose backward part rebuilds the segment (its last unit)
     */
    public static List<Step> recompute(List<Integer> segmentUnits, int running, Set<Integer> held, Set<Integer> withParameters,
                                       int bound) {
        if (segmentUnits.isEmpty() || segmentUnits.get(segmentUnits.size() - 1) != running) {
            throw new IllegalArgumentException("a recompute segment over units " + segmentUnits + " is rebuilt by its last"
                    + " unit's backward, not unit " + running + "'s");
        }
        List<Step> out = new ArrayList<>();
        Set<Integer> now = new LinkedHashSet<>(held);
        for (int k : segmentUnits) {
            if (!now.contains(k) && withParameters.contains(k)) {
                if (now.size() >= bound) {
                    int evict = now.contains(running) && running != k ? running : now.iterator().next();
                    out.add(new Release(evict));
                    now.remove(evict);
                }
                out.add(new Gather(k, Pass.RECOMPUTE, false));
                now.add(k);
            }
            out.add(new Run(k, Pass.RECOMPUTE));
            if (now.contains(k) && !held.contains(k)) {
                out.add(new Release(k));
                now.remove(k);
            }
        }
        for (int k : held) {
            if (!now.contains(k)) {
                out.add(new Gather(k, Pass.BACKWARD, false));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The whole order of one micro-batch's passes of {@code stage} on the device running {@code program}: the program's
     * gathers and parts of its forward and backward (a split backward's input-gradient part; its weight pass gathers
     * nothing), each part followed by its unit's release, and before a backward part that rebuilds a segment over
     * several units, that rebuild's steps ({@link #recompute}).
     *
     * @param mode the stage's recompute mode
     */
    public static List<Step> of(List<Instruction> program, StageModel model, Recompute mode, int stage, int microBatch,
                                int bound) {
        List<Step> out = new ArrayList<>();
        Set<Integer> held = new LinkedHashSet<>();
        Set<Integer> withParameters = new LinkedHashSet<>();
        for (int u = 0; u < model.units(); u++) {
            if (!model.unitParameters(u).isEmpty()) {
                withParameters.add(u);
            }
        }
        for (Instruction in : program) {
            if (in instanceof AllGather g && g.unit() >= 0 && g.stage() == stage && g.microBatch() == microBatch) {
                out.add(new Gather(g.unit(), g.phase() == AllGather.Phase.FORWARD ? Pass.FORWARD : Pass.BACKWARD, g.prefetches()));
                held.add(g.unit());
            } else if (in instanceof Compute c && c.stage() == stage && c.microBatch() == microBatch && c.parts() > 1
                    && c.direction() != Direction.WEIGHT_GRADIENT) {
                boolean forward = c.direction() == Direction.FORWARD;
                if (!forward && c.recompute()) {
                    for (List<Integer> segment : model.recomputeUnits(mode, c.part())) {
                        out.addAll(recompute(segment, c.part(), held, withParameters, bound));
                    }
                }
                out.add(new Run(c.part(), forward ? Pass.FORWARD : Pass.BACKWARD));
                if (held.remove(c.part())) {
                    out.add(new Release(c.part()));
                }
            }
        }
        return List.copyOf(out);
    }
}
