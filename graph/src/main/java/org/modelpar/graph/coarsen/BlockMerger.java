package org.modelpar.graph.coarsen;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Merges ops (indexed by topological position) into blocks, lightest merge first, never creating a
 * cycle. Phase 1 contracts linear-chain edges (u's only successor block is v and v's only predecessor
 * block is u), which is always acyclic. Phase 2 merges neighbours in a topological order of the blocks,
 * also always acyclic: no block lies between two neighbours, so no path can leave the pair and return.
 * O((n + m) log n) with lazy priority-queue deletion.
 */
final class BlockMerger {
    private record Candidate(double weight, int a, int b, int versionA, int versionB) {
    }

    private final int[] parent;
    private final int[] version;
    private final double[] weight;
    private final List<Set<Integer>> succ;
    private final List<Set<Integer>> pred;
    private int count;

    /** @param edges pairs {from, to} of op indices with from before to in topological order */
    BlockMerger(double[] weights, List<int[]> edges) {
        int n = weights.length;
        parent = new int[n];
        version = new int[n];
        weight = weights.clone();
        succ = new ArrayList<>(n);
        pred = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            succ.add(new HashSet<>());
            pred.add(new HashSet<>());
        }
        for (int[] e : edges) {
            succ.get(e[0]).add(e[1]);
            pred.get(e[1]).add(e[0]);
        }
        count = n;
    }

    int count() {
        return count;
    }

    int find(int i) {
        int r = i;
        while (parent[r] != r) {
            r = parent[r];
        }
        while (parent[i] != r) {
            int next = parent[i];
            parent[i] = r;
            i = next;
        }
        return r;
    }

    private boolean isChain(int u, int v) {
        return succ.get(u).size() == 1 && succ.get(u).contains(v) && pred.get(v).size() == 1;
    }

    private Candidate candidate(int a, int b) {
        return new Candidate(weight[a] + weight[b], a, b, version[a], version[b]);
    }

    private static PriorityQueue<Candidate> queue() {
        return new PriorityQueue<>((x, y) -> x.weight() != y.weight() ? Double.compare(x.weight(), y.weight())
                : x.a() != y.a() ? Integer.compare(x.a(), y.a()) : Integer.compare(x.b(), y.b()));
    }

    private boolean fresh(Candidate c) {
        return parent[c.a()] == c.a() && parent[c.b()] == c.b() && version[c.a()] == c.versionA()
                && version[c.b()] == c.versionB();
    }

    /** Phase 1: contracts chain edges, lightest first, until at most {@code target} blocks or none is left. */
    void contractChains(int target) {
        PriorityQueue<Candidate> queue = queue();
        for (int u = 0; u < parent.length; u++) {
            if (succ.get(u).size() == 1) {
                int v = succ.get(u).iterator().next();
                if (pred.get(v).size() == 1) {
                    queue.add(candidate(u, v));
                }
            }
        }
        while (count > target && !queue.isEmpty()) {
            Candidate c = queue.poll();
            if (!fresh(c) || !isChain(c.a(), c.b())) {
                continue;
            }
            int u = c.a();
            int v = c.b();
            parent[v] = u;
            weight[u] += weight[v];
            version[u]++;
            count--;
            for (int s : succ.get(v)) {
                pred.get(s).remove(v);
                pred.get(s).add(u);
            }
            succ.set(u, succ.get(v));
            succ.set(v, Set.of());
            pred.set(v, Set.of());
            if (succ.get(u).size() == 1) {
                int s = succ.get(u).iterator().next();
                if (pred.get(s).size() == 1) {
                    queue.add(candidate(u, s));
                }
            }
            if (pred.get(u).size() == 1) {
                int p = pred.get(u).iterator().next();
                if (succ.get(p).size() == 1) {
                    queue.add(candidate(p, u));
                }
            }
        }
    }

    /** The current blocks (roots) in a topological order, ties broken by their first op's position (Kahn). */
    List<Integer> topologicalBlocks() {
        int n = parent.length;
        int[] indegree = new int[n];
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int r = 0; r < n; r++) {
            if (parent[r] == r) {
                indegree[r] = pred.get(r).size();
                if (indegree[r] == 0) {
                    ready.add(r);
                }
            }
        }
        List<Integer> order = new ArrayList<>(count);
        while (!ready.isEmpty()) {
            int r = ready.poll();
            order.add(r);
            for (int s : succ.get(r)) {
                if (--indegree[s] == 0) {
                    ready.add(s);
                }
            }
        }
        return order;
    }

    /** Phase 2: merges neighbours of a topological block order, lightest pair first; returns the final order. */
    List<Integer> mergeNeighbours(int target) {
        List<Integer> order = topologicalBlocks();
        int n = parent.length;
        int[] next = new int[n];
        int[] prev = new int[n];
        PriorityQueue<Candidate> queue = queue();
        for (int i = 0; i < order.size(); i++) {
            int r = order.get(i);
            prev[r] = i == 0 ? -1 : order.get(i - 1);
            next[r] = i == order.size() - 1 ? -1 : order.get(i + 1);
            if (next[r] >= 0) {
                queue.add(candidate(r, next[r]));
            }
        }
        int head = order.isEmpty() ? -1 : order.get(0);
        while (count > target && !queue.isEmpty()) {
            Candidate c = queue.poll();
            int a = c.a();
            int b = c.b();
            if (!fresh(c) || next[a] != b) {
                continue;
            }
            parent[b] = a;
            weight[a] += weight[b];
            version[a]++;
            count--;
            next[a] = next[b];
            if (next[a] >= 0) {
                prev[next[a]] = a;
                queue.add(candidate(a, next[a]));
            }
            if (prev[a] >= 0) {
                queue.add(candidate(prev[a], a));
            }
        }
        List<Integer> result = new ArrayList<>(count);
        for (int r = head; r >= 0; r = next[r]) {
            result.add(r);
        }
        return result;
    }
}
