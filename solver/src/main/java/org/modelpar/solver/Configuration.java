package org.modelpar.solver;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;

/**
 * One parallel configuration the outer search tries.
 *
 * @param pipeline       pipeline degree p
 * @param tensor         tensor-parallel degree t (within a node)
 * @param data           data-parallel degree d: p x t x d devices in all
 * @param microBatchSize samples per micro-batch (split over a stage's replicas)
 * @param microBatches   micro-batches per step
 * @param schedule       pipeline schedule
 * @param recompute      whether stages may recompute (decided per stage after placement)
 * @param replicas       replicas (of t devices) per stage when they differ (PipeDream's hybrid plans), summing
 *                       to p x d and each dividing the micro-batch; empty when every stage has d
 */
public record Configuration(int pipeline, int tensor, int data, int microBatchSize, int microBatches,
                            Schedule schedule, boolean recompute, List<Integer> replicas) {
    public Configuration {
        if (pipeline < 1 || tensor < 1 || data < 1 || microBatches < 1 || microBatchSize % data != 0) {
            throw new IllegalArgumentException("bad configuration pp=" + pipeline + " tp=" + tensor + " dp=" + data
                    + " mb=" + microBatchSize + " m=" + microBatches);
        }
        replicas = List.copyOf(replicas);
        if (!replicas.isEmpty() && (replicas.size() != pipeline
                || replicas.stream().mapToInt(Integer::intValue).sum() != pipeline * data
                || replicas.stream().anyMatch(r -> r < 1 || microBatchSize % r != 0))) {
            throw new IllegalArgumentException("replicas " + replicas + " must give each of " + pipeline
                    + " stages at least one, sum to " + pipeline * data + " and divide micro-batch " + microBatchSize);
        }
    }

    /** Every stage with d replicas. */
    public Configuration(int pipeline, int tensor, int data, int microBatchSize, int microBatches, Schedule schedule,
                         boolean recompute) {
        this(pipeline, tensor, data, microBatchSize, microBatches, schedule, recompute, List.of());
    }

    /** The configuration of a plan (recomputation when any stage recomputes, selectively or fully; replicas when stages differ). */
    public static Configuration of(PlacementPlan plan) {
        int p = plan.pipelineStages();
        List<Integer> replicas = IntStream.range(0, p).map(plan::dataParallel).boxed().toList();
        int total = replicas.stream().mapToInt(Integer::intValue).sum();
        boolean recompute = plan.stages().stream().anyMatch(s -> s.recomputation() != Recompute.NONE);
        boolean even = replicas.stream().allMatch(r -> r.equals(replicas.get(0)));
        if (even || total % p != 0 || plan.microBatchSize() % (total / p) != 0) {
            return new Configuration(p, plan.tensorParallel(), replicas.get(0), plan.microBatchSize(), plan.microBatches(),
                    plan.schedule(), recompute);
        }
        return new Configuration(p, plan.tensorParallel(), total / p, plan.microBatchSize(), plan.microBatches(),
                plan.schedule(), recompute, replicas);
    }

    /** The same with {@code size} samples per micro-batch and {@code count} micro-batches per step. */
    public Configuration withMicroBatchSize(int size, int count) {
        return new Configuration(pipeline, tensor, data, size, count, schedule, recompute, replicas);
    }

    public Configuration withReplicas(List<Integer> perStage) {
        return new Configuration(pipeline, tensor, data, microBatchSize, microBatches, schedule, recompute, perStage);
    }

    public int devices() {
        return pipeline * tensor * data;
    }

    /** Replicas of stage s. */
    public int replicasOf(int stage) {
        return replicas.isEmpty() ? data : replicas.get(stage);
    }

    /** The first replica of stage s, counting replicas of all stages in order. */
    public int firstReplica(int stage) {
        int first = 0;
        for (int s = 0; s < stage; s++) {
            first += replicasOf(s);
        }
        return first;
    }

    /**
     * The step in units of the slowest stage's time per micro-batch, as the ranking estimates it: m + p - 1
     * (GPipe and 1F1B fill and drain p - 1 slots); for a schedule that splits the backward (ZB-H1),
     * m + (p - 1) / 3, since its bubble is about a third of 1F1B's when the forward, input-gradient and
     * weight-gradient passes take equal time (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR 2024,
     * section 3.1). The simulator prices the finalists exactly.
     */
    public double stepSlots() {
        return microBatches + (pipeline - 1) / (schedule.splitsBackward() ? 3.0 : 1.0);
    }

    /** A lower bound of {@link #stepSlots()} for any schedule's real step: m + p - 1, or m when the bubble can shrink (ZB-H1). */
    public double leastStepSlots() {
        return schedule.splitsBackward() ? microBatches : microBatches + pipeline - 1;
    }

    /** Samples one replica runs per micro-batch (Megatron's micro-batch size) when every stage has d replicas. */
    public int samplesPerReplica() {
        return microBatchSize / data;
    }

    /** E.g. {@code pp=4 tp=8 dp=4 mb=32 m=16 1f1b recompute}, with {@code replicas 3+1} for uneven stages. */
    public String label() {
        return label(recompute ? " recompute" : "");
    }

    /** {@link #label()} with {@code recomputation} (e.g. {@code " recompute full"}) in place of the recompute flag. */
    String label(String recomputation) {
        return "pp=" + pipeline + " tp=" + tensor + " dp=" + data + " mb=" + microBatchSize + " m=" + microBatches
                + " " + schedule.jsonName() + recomputation
                + (replicas.isEmpty() ? "" : " replicas " + replicas.stream().map(String::valueOf).collect(Collectors.joining("+")));
    }
}
