package org.modelpar.executor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.simulator.plan.GradientBuckets;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One stage's data-parallel gradient all-reduce overlapped with its last backward pass, in buckets (Li et al., "PyTorch
 * Distributed: Experiences on Accelerating Data Parallel Training", VLDB 2020, section 3.2.3): the gradients, one group
 * per op in the order the backward completes them, are cut into buckets as {@link GradientBuckets} says (the rule the
 * simulator prices the reduction's ring latencies by); a bucket's ring all-reduce starts on the device's communication
 * thread as soon as its last gradient is complete, while the backward goes on. Every replica completes the gradients in
 * the same order, so every member starts the same buckets in the same order ({@code <id> b<k>}), and the communication
 * thread runs them one after another.
 */
final class BucketedReduce {
    private final String id;
    private final List<String> group;
    private final Map<String, INDArray> grads = new LinkedHashMap<>();
    private final List<List<String>> buckets = new ArrayList<>();
    private final List<Integer> missing = new ArrayList<>();
    private final Map<String, Integer> bucketOf = new LinkedHashMap<>();
    private final List<Future<Long>> started = new ArrayList<>();

    /**
     * @param id     the collective's id, unique in the run
     * @param group  the data-parallel group, in ring order
     * @param groups the stage's gradients, one group per op, in the order the backward completes them
     */
    BucketedReduce(String id, List<String> group, List<Map<String, INDArray>> groups) {
        this.id = id;
        this.group = List.copyOf(group);
        int[] bucket = GradientBuckets.cut(groups.stream()
                .mapToLong(g -> g.values().stream().mapToLong(Tensors::bytes).sum()).toArray());
        for (int k = 0; k < groups.size(); k++) {
            for (Map.Entry<String, INDArray> e : groups.get(k).entrySet()) {
                if (bucket[k] == buckets.size()) {
                    buckets.add(new ArrayList<>());
                    missing.add(0);
                }
                buckets.get(bucket[k]).add(e.getKey());
                missing.set(bucket[k], missing.get(bucket[k]) + 1);
                bucketOf.put(e.getKey(), bucket[k]);
                grads.put(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * The buckets of {@code reduced}'s gradients (in {@code grads}), grouped by {@code completionOrder} (one list per op,
     * in the order the backward completes them); the gradients no op completes form the last group.
     */
    static BucketedReduce of(String id, List<String> group, Collection<List<String>> completionOrder, List<String> reduced,
                             Map<String, INDArray> grads) {
        Set<String> left = new LinkedHashSet<>(reduced);
        List<Map<String, INDArray>> groups = new ArrayList<>();
        for (List<String> op : completionOrder) {
            Map<String, INDArray> g = new LinkedHashMap<>();
            op.stream().filter(left::remove).forEach(n -> g.put(n, grads.get(n)));
            groups.add(g);
        }
        Map<String, INDArray> rest = new LinkedHashMap<>();
        left.forEach(n -> rest.put(n, grads.get(n)));
        groups.add(rest);
        return new BucketedReduce(id, group, groups);
    }

    /** How many buckets the gradients were cut into. */
    int buckets() {
        return buckets.size();
    }

    /** Notes that these gradients are complete; starts every bucket that is now complete, in bucket order. */
    void completed(List<String> names, ExecutorService comm, Reducer reducer) {
        for (String n : names) {
            Integer b = bucketOf.remove(n);
            if (b != null) {
                missing.set(b, missing.get(b) - 1);
            }
        }
        while (started.size() < buckets.size() && missing.get(started.size()) == 0) {
            start(comm, reducer);
        }
    }

    /** The pass is over: starts every bucket not started yet (gradients no op of the pass wrote stay as they are). */
    void flush(ExecutorService comm, Reducer reducer) {
        while (started.size() < buckets.size()) {
            start(comm, reducer);
        }
    }

    /** Waits for every bucket; returns when the last one ended (ticker nanoseconds), or {@code armedNanos} without any. */
    long await(long armedNanos) throws InterruptedException {
        long end = armedNanos;
        for (Future<Long> f : started) {
            try {
                end = Math.max(end, f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException("bucket of " + id + " failed: " + cause, cause);
            }
        }
        return end;
    }

    private void start(ExecutorService comm, Reducer reducer) {
        int k = started.size();
        Map<String, INDArray> bucket = new LinkedHashMap<>();
        buckets.get(k).forEach(n -> bucket.put(n, grads.get(n)));
        String bucketId = id + " b" + k;
        started.add(comm.submit(() -> reducer.allReduce(bucketId, group, bucket)));
    }

    /** Runs one bucket's ring all-reduce in place; returns when it ended (ticker nanoseconds). */
    @FunctionalInterface
    interface Reducer {
        long allReduce(String id, List<String> group, Map<String, INDArray> tensors) throws InterruptedException;
    }
}
