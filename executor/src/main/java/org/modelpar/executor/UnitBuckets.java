package org.modelpar.executor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.ParameterUnit;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.ReduceScatter;

/**
 * The gradient buckets of one stage under ZeRO stage 2: its parameter units ({@link ParameterUnit}), each the
 * gradients that the backward of the unit's ops completes. A backward reports the gradients it completes ({@link #completed}); a unit whose gradients are all complete is
 * reduce-scattered at once, and its instruction in the program ({@code reducescatter s<i> mb<k> u<u>}) then only
 * records when that ran ({@link #take}). Every pass completes every gradient once, so each pass reduces each unit once.
 */
final class UnitBuckets {
    private final List<String> group;
    private final List<List<String>> units;
    private final Map<String, Integer> unitOf = new HashMap<>();
    private final int[] missing;
    private final long[][] spans;

    /**
     * @param group the stage's data-parallel group, in replica order
     * @param units the gradients of each unit, by unit index
     */
    UnitBuckets(List<String> group, List<List<String>> units) {
        this.group = List.copyOf(group);
        this.units = units.stream().map(List::copyOf).toList();
        this.missing = new int[units.size()];
        this.spans = new long[units.size()][];
        for (int u = 0; u < units.size(); u++) {
            for (String name : units.get(u)) {
                unitOf.put(name, u);
            }
            missing[u] = units.get(u).size();
        }
    }

    /**
     * The buckets of {@code stage} in {@code program}, when it reduce-scatters the stage's gradients unit by unit: the
     * gradients of {@code owned} that the ops of each {@link ParameterUnit} complete ({@code completedBy}, by op).
     *
     * @param ops the stage's ops, in stage order
     * @throws IllegalStateException when a unit with gradients has no reduce-scatter in the program
     */
    static Optional<UnitBuckets> of(DeviceProgram program, int stage, List<OpNode> ops, Map<String, List<String>> completedBy,
                                    List<String> owned) {
        List<ReduceScatter> reductions = program.instructions().stream()
                .filter(i -> i instanceof ReduceScatter rs && rs.stage() == stage && rs.unit() >= 0)
                .map(i -> (ReduceScatter) i).toList();
        if (reductions.isEmpty()) {
            return Optional.empty();
        }
        Set<Integer> reduced = reductions.stream().map(ReduceScatter::unit).collect(Collectors.toSet());
        List<List<String>> units = new ArrayList<>();
        for (List<OpNode> unit : ParameterUnit.layers(ops)) {
            List<String> grads = unit.stream().flatMap(op -> completedBy.getOrDefault(op.id(), List.of()).stream())
                    .filter(owned::contains).toList();
            if (!grads.isEmpty() && !reduced.contains(units.size())) {
                throw new IllegalStateException("the program of " + program.device() + " reduce-scatters no gradients of unit "
                        + units.size() + " of stage " + stage + " (" + grads + ")");
            }
            units.add(grads);
        }
        return Optional.of(new UnitBuckets(reductions.get(0).group(), units));
    }

    List<String> group() {
        return group;
    }

    /** The gradients of unit {@code u}. */
    List<String> unit(int u) {
        return units.get(u);
    }

    /** Notes that {@code names} are complete; returns the units that are now complete and not reduced yet, in order. */
    List<Integer> completed(List<String> names) {
        List<Integer> ready = new ArrayList<>();
        for (String n : names) {
            Integer u = unitOf.get(n);
            if (u != null && --missing[u] == 0 && spans[u] == null) {
                ready.add(u);
            }
        }
        return ready;
    }

    /** Whether unit {@code u} has not been reduced in this pass. */
    boolean pending(int u) {
        return spans[u] == null;
    }

    /** Unit {@code u} was reduced from {@code startNanos} to {@code endNanos}. */
    void reduced(int u, long startNanos, long endNanos) {
        spans[u] = new long[] {startNanos, endNanos};
    }

    /** When unit {@code u}'s reduction of this pass ran; makes the unit ready for the next pass. */
    long[] take(int u) {
        long[] span = spans[u];
        if (span == null) {
            throw new IllegalStateException("unit " + u + " of " + units.size() + " was not reduced in this pass");
        }
        spans[u] = null;
        missing[u] = units.get(u).size();
        return span;
    }
}
