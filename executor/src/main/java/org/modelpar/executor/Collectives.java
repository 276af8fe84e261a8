package org.modelpar.executor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rendezvous for collectives among the devices of one run. In an all-reduce every member deposits a
 * copy of its tensors and each computes the same sum in group order, so all members end bit-identical
 * and the result does not depend on thread timing.
 */
final class Collectives {
    private final RunControl control;
    private final Map<String, Round> rounds = new HashMap<>();

    Collectives(RunControl control) {
        this.control = control;
    }

    private static final class Round {
        final Map<String, Map<String, INDArray>> contributions = new HashMap<>();
        int collected;
    }

    /**
     * Sums {@code tensors} over {@code group} (in group order) and returns fresh arrays.
     *
     * @param id     identifies the collective (step and instruction), the same on every member
     * @param member this device
     * @param group  members in summation order
     */
    Map<String, INDArray> allReduce(String id, String member, List<String> group,
                                    Map<String, INDArray> tensors) throws InterruptedException {
        return reduce(id, member, group, group, tensors);
    }

    /**
     * Waits until every member of {@code group} has deposited, then sums the contributions of
     * {@code summands} only, in their order (a tied parameter's copies: one summand per stage).
     */
    synchronized Map<String, INDArray> reduce(String id, String member, List<String> group, List<String> summands,
                                              Map<String, INDArray> tensors) throws InterruptedException {
        // contributions are read by the other members after this one has left: keep them out of its scratch
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return sum(id, group, summands, deposit(id, member, group, tensors), tensors.keySet());
        }
    }

    private Round deposit(String id, String member, List<String> group, Map<String, INDArray> tensors)
            throws InterruptedException {
        Map<String, INDArray> copy = new HashMap<>();
        tensors.forEach((k, v) -> copy.put(k, v.dup()));
        Round round = rounds.computeIfAbsent(id, k -> new Round());
        round.contributions.put(member, copy);
        notifyAll();
        control.await(this, () -> round.contributions.size() == group.size(),
                "all-reduce " + id + " with " + group);
        return round;
    }

    private Map<String, INDArray> sum(String id, List<String> group, List<String> summands, Round round,
                                      Set<String> keys) {
        Map<String, INDArray> sum = new HashMap<>();
        for (String key : keys) {
            List<INDArray> parts = new ArrayList<>();
            for (String g : summands) {
                parts.add(round.contributions.get(g).get(key));
            }
            INDArray s = parts.get(0).dup();
            for (int i = 1; i < parts.size(); i++) {
                s.addi(parts.get(i));
            }
            sum.put(key, s);
        }
        if (++round.collected == group.size()) {
            rounds.remove(id);
        }
        return sum;
    }
}
