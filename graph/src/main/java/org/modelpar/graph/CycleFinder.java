package org.modelpar.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds one directed cycle (iterative depth-first search), so errors can list the ops on it. */
final class CycleFinder {
    private CycleFinder() {
    }

    /** The ops of one cycle in order, closed by repeating the first op; empty when the graph is acyclic. */
    static Optional<List<String>> findCycle(Collection<String> opIds, List<TensorEdge> tensors) {
        Map<String, List<String>> successors = new HashMap<>();
        for (TensorEdge t : tensors) {
            successors.computeIfAbsent(t.from(), k -> new ArrayList<>()).add(t.to());
        }
        Map<String, Integer> state = new HashMap<>(); // absent: new, 1: on stack, 2: done
        for (String root : opIds) {
            if (state.containsKey(root)) {
                continue;
            }
            Deque<String> path = new ArrayDeque<>();
            Deque<Iterator<String>> iterators = new ArrayDeque<>();
            path.push(root);
            iterators.push(successors.getOrDefault(root, List.of()).iterator());
            state.put(root, 1);
            while (!path.isEmpty()) {
                Iterator<String> it = iterators.peek();
                if (it.hasNext()) {
                    String next = it.next();
                    Integer s = state.get(next);
                    if (s == null) {
                        state.put(next, 1);
                        path.push(next);
                        iterators.push(successors.getOrDefault(next, List.of()).iterator());
                    } else if (s == 1) {
                        List<String> cycle = new ArrayList<>();
                        List<String> stack = new ArrayList<>(path);
                        java.util.Collections.reverse(stack);
                        cycle.addAll(stack.subList(stack.indexOf(next), stack.size()));
                        cycle.add(next);
                        return Optional.of(List.copyOf(cycle));
                    }
                } else {
                    state.put(path.pop(), 2);
                    iterators.pop();
                }
            }
        }
        return Optional.empty();
    }
}
