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
 * @param virtualStages  model chunks per device group v (Megatron-LM's interleaved 1F1B: p x v stages, stage s
 *                       on device group s mod p); 1 for every other schedule
 * @param expertParallel expert-parallel degree e of mixture-of-experts layers, dividing d; 1 for none
 */
public record Configuration(int pipeline, int tensor, int data, int microBatchSize, int microBatches,
                            Schedule schedule, boolean recompute, List<Integer> replicas, int virtualStages,
                            int expertParallel) {
    public Configuration {
        if (pipeline < 1 || tensor < 1 || data < 1 || microBatches < 1 || microBatchSize % data != 0
                || expertParallel < 1 || data % expertParallel != 0) {
            throw new IllegalArgumentException("bad configuration pp=" + pipeline + " tp=" + tensor + " dp=" + data
                    + " mb=" + microBatchSize + " m=" + microBatches + " ep=" + expertParallel);
        }
        if (schedule.interleaves() != virtualStages > 1 || virtualStages < 1
                || (schedule.interleaves() && (pipeline < 2 || microBatches % pipeline != 0))) {
            throw new IllegalArgumentException("schedule " + schedule.jsonName() + " with virtual stages " + virtualStages
                    + ", pp=" + pipeline + " m=" + microBatches + ": interleaving needs v >= 2, p >= 2 and m divisible by p,"
                    + " every other schedule v = 1");
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
        this(pipeline, tensor, data, microBatchSize, microBatches, schedule, recompute, List.of(), 1, 1);
    }

    /**
     * The configuration of a plan (recomputation when any stage recomputes, selectively or fully; replicas when
     * stages differ; the plan's virtual stages and expert-parallel degree).
     */
    public static Configuration of(PlacementPlan plan) {
        int p = plan.pipelineDegree();
        List<Integer> replicas = IntStream.range(0, p).map(plan::dataParallel).boxed().toList();
        int total = replicas.stream().mapToInt(Integer::intValue).sum();
        boolean recompute = plan.stages().stream().anyMatch(s -> s.recomputation() != Recompute.NONE);
        boolean even = replicas.stream().allMatch(r -> r.equals(replicas.get(0)));
        boolean uneven = !even && total % p == 0 && plan.microBatchSize() % (total / p) == 0;
        return new Configuration(p, plan.tensorParallel(), uneven ? total / p : replicas.get(0), plan.microBatchSize(),
                plan.microBatches(), plan.schedule(), recompute, uneven ? replicas : List.of(), plan.virtualStages(),
                plan.options().expertParallel());
    }

    /** The same with {@code size} samples per micro-batch and {@code count} micro-batches per step. */
    public Configuration withMicroBatchSize(int size, int count) {
        return new Configuration(pipeline, tensor, data, size, count, schedule, recompute, replicas, virtualStages,
                expertParallel);
    }

    public Configuration withReplicas(List<Integer> perStage) {
        return new Configuration(pipeline, tensor, data, microBatchSize, microBatches, schedule, recompute, perStage,
                virtualStages, expertParallel);
    }

    /** The same run as Megatron-LM's interleaved 1F1B with v model chunks per device group (v = 1: as 1F1B). */
    public Configuration withVirtualStages(int v) {
        return new Configuration(pipeline, tensor, data, microBatchSize, microBatches,
                v > 1 ? Schedule.INTERLEAVED : Schedule.ONE_F_ONE_B, recompute, replicas, v, expertParallel);
    }

    public Configuration withExpertParallel(int e) {
        return new Configuration(pipeline, tensor, data, microBatchSize, microBatches, schedule, recompute, replicas,
                virtualStages, e);
    }

    /** Stages in pipeline order: p, or p x v model chunks when interleaved. */
    public int stages() {
        return pipeline * virtualStages;
    }

    /** The device group (0 to p - 1) that runs stage s. */
    public int groupOf(int stage) {
        return stage % pipeline;
    }

    public int devices() {
        return pipeline * tensor * data;
    }

    /** Replicas of stage s. */
    public int replicasOf(int stage) {
        return replicas.isEmpty() ? data : replicas.get(groupOf(stage));
    }

    /** The first replica of stage s's device group, counting replicas of all groups in order. */
    public int firstReplica(int stage) {
        int first = 0;
        for (int s = 0; s < groupOf(stage); s++) {
            first += replicasOf(s);
        }
        return first;
    }

    /**
     * The step in units of the slowest stage's time per micro-batch, as the ranking estimates it: m + p - 1
     * (GPipe and 1F1B fill and drain p - 1 slots); for a schedule that splits the backward (ZB-H1),
     * m + (p - 1) / 3, since its bubble is about a third of 1F1B's when the forward, input-gradient and
     * weight-gradient passes take equal time (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR 2024,
     * section 3.1). Interleaved 1F1B counts in units of the slowest model chunk: m v + p - 1 (a device runs its v
     * chunks of every micro-batch and the fill and drain take p - 1 chunk slots; Narayanan et al., SC'21, section
     * 2.2.2). The simulator prices the finalists exactly.
     */
    public double stepSlots() {
        return microBatches * virtualStages + (pipeline - 1) / (schedule.splitsBackward() ? 3.0 : 1.0);
    }

    /** A lower bound of {@link #stepSlots()} for any schedule's real step: m v + p - 1, or m when the bubble can shrink (ZB-H1). */
    public double leastStepSlots() {
        return schedule.splitsBackward() ? microBatches : microBatches * virtualStages + pipeline - 1;
    }

    /** Samples one replica runs per micro-batch (Megatron's micro-batch size) when every stage has d replicas. */
    public int samplesPerReplica() {
        return microBatchSize / data;
    }

    /**
     * What the simulated finalists must differ in ({@link Finalists}): everything but recomputation (each stage
     * takes its lightest mode anyway) and the schedule, except whether it splits the backward.
     */
    String finalistShape() {
        return pipeline + "/" + tensor + "/" + data + "/" + microBatchSize + "/" + replicas + "/" + schedule.splitsBackward()
                + "/" + virtualStages + "/" + expertParallel;
    }

    /**
     * E.g. {@code pp=4 tp=8 dp=4 mb=32 m=16 1f1b recompute}, with {@code replicas 3+1} for uneven stages and
     * {@code interleaved v=2} for model chunks.
     */
    public String label() {
        return label(recompute ? " recompute" : "");
    }

    /** {@link #label()} with {@code recomputation} (e.g. {@code " recompute full"}) in place of the recompute flag. */
    String label(String recomputation) {
        return "pp=" + pipeline + " tp=" + tensor + " dp=" + data + " mb=" + microBatchSize + " m=" + microBatches
                + " " + schedule.jsonName() + (virtualStages > 1 ? " v=" + virtualStages : "") + recomputation
                + (replicas.isEmpty() ? "" : " replicas " + replicas.stream().map(String::valueOf).collect(Collectors.joining("+")))
                + (expertParallel > 1 ? " ep=" + expertParallel : "");
    }
}
