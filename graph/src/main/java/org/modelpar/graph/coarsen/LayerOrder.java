package org.modelpar.graph.coarsen;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/**
 * A topological order that keeps the ops of one layer tag together where the dependencies allow. Kahn's
 * algorithm that keeps taking ready ops of the current tag; when there are none it switches to a tag whose
 * inputs from other tags are all available (such a tag can be emitted in one run), else to the tag of the
 * earliest ready op. Ties follow the graph's own topological order. O((n + m) log n).
 */
final class LayerOrder {
    private final List<OpNode> topo;
    private final int[] indegree;
    private final List<List<Integer>> successors;
    private final Map<String, PriorityQueue<Integer>> readyByTag = new HashMap<>();
    private final PriorityQueue<Integer> readyAll = new PriorityQueue<>();
    private final Map<String, Integer> remaining = new HashMap<>();
    private final Map<String, Integer> externalInputs = new HashMap<>();
    private final ArrayDeque<String> completable = new ArrayDeque<>();
    private final boolean[] done;

    private LayerOrder(ComputationGraph graph) {
        topo = graph.topologicalOrder();
        int n = topo.size();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            index.put(topo.get(i).id(), i);
            remaining.merge(tag(i), 1, Integer::sum);
            externalInputs.putIfAbsent(tag(i), 0);
        }
        indegree = new int[n];
        done = new boolean[n];
        successors = new ArrayList<>(n);
        topo.forEach(op -> successors.add(new ArrayList<>(2)));
        for (TensorEdge t : graph.tensors()) {
            int from = index.get(t.from());
            int to = index.get(t.to());
            successors.get(from).add(to);
            indegree[to]++;
            if (!tag(from).equals(tag(to))) {
                externalInputs.merge(tag(to), 1, Integer::sum);
            }
        }
        Set<String> queued = new HashSet<>();
        for (int i = 0; i < n; i++) {
            if (indegree[i] == 0) {
                readyByTag.computeIfAbsent(tag(i), k -> new PriorityQueue<>()).add(i);
                readyAll.add(i);
            }
            if (externalInputs.get(tag(i)) == 0 && queued.add(tag(i))) {
                completable.add(tag(i));
            }
        }
    }

    static List<OpNode> of(ComputationGraph graph) {
        return new LayerOrder(graph).order();
    }

    private String tag(int i) {
        return topo.get(i).layer();
    }

    private List<OpNode> order() {
        List<OpNode> order = new ArrayList<>(topo.size());
        String current = null;
        while (order.size() < topo.size()) {
            int next = current == null ? -1 : pollReady(current);
            while (next < 0 && !completable.isEmpty()) {
                String tag = completable.poll();
                next = remaining.get(tag) > 0 ? pollReady(tag) : -1;
            }
            while (next < 0) {
                int i = readyAll.poll();
                next = done[i] ? -1 : i;
            }
            emit(next);
            order.add(topo.get(next));
            current = tag(next);
        }
        return order;
    }

    private int pollReady(String tag) {
        PriorityQueue<Integer> q = readyByTag.get(tag);
        while (q != null && !q.isEmpty()) {
            int i = q.poll();
            if (!done[i]) {
                return i;
            }
        }
        return -1;
    }

    private void emit(int i) {
        done[i] = true;
        remaining.merge(tag(i), -1, Integer::sum);
        for (int s : successors.get(i)) {
            if (!tag(i).equals(tag(s)) && externalInputs.merge(tag(s), -1, Integer::sum) == 0) {
                completable.add(tag(s));
            }
            if (--indegree[s] == 0) {
                readyByTag.computeIfAbsent(tag(s), k -> new PriorityQueue<>()).add(s);
                readyAll.add(s);
            }
        }
    }
}
