package org.modelpar.solver;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;

/**
 * What to plan for. Fixing a degree (pipeline, tensor, data, micro-batches, schedule) or a plan option
 * (sequence parallelism, gradient-reduce overlap) restricts the search to it; empty means "search".
 *
 * @param globalBatchSize samples per step
 * @param pipeline        fixed pipeline degree p
 * @param tensor          fixed tensor-parallel degree t
 * @param data            fixed data-parallel degree d
 * @param microBatches    fixed micro-batch count m
 * @param schedule        fixed schedule
 * @param precision       training precision
 * @param optimizer       optimizer
 * @param seed            random seed of the Timefold search
 * @param timeLimit       wall-clock bound of the whole search (a guard: see {@link Planner})
 * @param maxBlocks       most op blocks the graph is coarsened to
 * @param memoryMargin    fraction of every device's memory kept free (default 0.05)
 * @param runnerUps       runner-up configurations to report
 * @param pins            op id -> stage index the op must be placed on ({@code plan --pin OP=STAGE}); empty: none
 * @param sequenceParallel      fixed Megatron-LM sequence parallelism (applies where t is above 1)
 * @param overlapGradientReduce fixed overlap of the gradient all-reduce with the last backward
 * @param zeroStage       fixed ZeRO stage 0-3 over each stage's data-parallel group; empty: the search tries them
 * @param expertParallel  fixed expert-parallel degree of mixture-of-experts layers (1: none); empty: the search
 *                        tries the degrees dividing the expert count and the data degree
 * @param virtualStages   fixed model chunks per device group of the interleaved schedule (only with it fixed);
 *                        empty: searched
 * @param executorOnly    search only what modelpar's executor runs ({@link #forExecutor}): ZeRO stage 0 unless
 *                        fixed, no ZB-H1 at stage 3, expert degree 1
 */
public record PlanRequest(int globalBatchSize, OptionalInt pipeline, OptionalInt tensor, OptionalInt data,
                          OptionalInt microBatches, Optional<Schedule> schedule, Precision precision,
                          OptimizerKind optimizer, long seed, Duration timeLimit, int maxBlocks, double memoryMargin,
                          int runnerUps, Map<String, Integer> pins, Optional<Boolean> sequenceParallel,
                          Optional<Boolean> overlapGradientReduce, OptionalInt zeroStage, OptionalInt expertParallel,
                          OptionalInt virtualStages, boolean executorOnly) {
    public PlanRequest {
        pins = pins == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(pins));
        for (Map.Entry<String, Integer> pin : pins.entrySet()) {
            if (pin.getValue() < 0) {
                throw new IllegalArgumentException("pin " + pin.getKey() + "=" + pin.getValue() + ": stage must be non-negative");
            }
        }
        if (virtualStages != null && virtualStages.isPresent() && (virtualStages.getAsInt() < 2
                || schedule == null || schedule.filter(Schedule::interleaves).isEmpty())) {
            throw new PlanException("--virtual-stages " + virtualStages.getAsInt() + ": model chunks per device group need"
                    + " --schedule interleaved and at least 2 chunks");
        }
        if (zeroStage != null && expertParallel != null) {
            PlanOptions.NONE.withZeroStage(zeroStage.orElse(0)).withExpertParallel(expertParallel.orElse(1)); // the simulator's rules
        }
        if (globalBatchSize < 1) {
            throw new IllegalArgumentException("globalBatchSize must be at least 1, got " + globalBatchSize);
        }
        for (OptionalInt v : new OptionalInt[] {pipeline, tensor, data, microBatches}) {
            if (v.isPresent() && v.getAsInt() < 1) {
                throw new IllegalArgumentException("fixed degrees must be at least 1, got " + v.getAsInt());
            }
        }
        if (maxBlocks < 1 || !(memoryMargin >= 0 && memoryMargin < 1) || runnerUps < 0) {
            throw new IllegalArgumentException("need maxBlocks >= 1, 0 <= memoryMargin < 1, runnerUps >= 0, got "
                    + maxBlocks + ", " + memoryMargin + ", " + runnerUps);
        }
    }

    /** Search everything: bf16 Adam, seed 0, 30 s, 256 blocks, 5% margin, 3 runner-ups. */
    public static PlanRequest of(int globalBatchSize) {
        return new PlanRequest(globalBatchSize, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), Optional.empty(), Precision.BF16, OptimizerKind.ADAM, 0, Duration.ofSeconds(30),
                256, 0.05, 3, Map.of(), Optional.empty(), Optional.empty(), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), false);
    }

    public PlanRequest withDegrees(OptionalInt p, OptionalInt t, OptionalInt d, OptionalInt m) {
        return new PlanRequest(globalBatchSize, p, t, d, m, schedule, precision, optimizer, seed, timeLimit, maxBlocks,
                memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, executorOnly);
    }

    /** Fixes the schedule and, for {@code interleaved}, the model chunks per device group (empty: search them). */
    public PlanRequest withSchedule(Optional<Schedule> s, OptionalInt chunks) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, s, precision, optimizer, seed,
                timeLimit, maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, chunks, executorOnly);
    }

    public PlanRequest withSchedule(Optional<Schedule> s) {
        return withSchedule(s, OptionalInt.empty());
    }

    public PlanRequest withPrecision(Precision p, OptimizerKind o) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, p, o, seed, timeLimit,
                maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, executorOnly);
    }

    public PlanRequest withSearch(long s, Duration limit) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer, s,
                limit, maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, executorOnly);
    }

    /** Fixes ops to stages: a configuration with fewer stages than a pin names is not considered. */
    public PlanRequest withPins(Map<String, Integer> p) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer, seed,
                timeLimit, maxBlocks, memoryMargin, runnerUps, p, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, executorOnly);
    }

    /** The fraction of every device's memory the plan must leave free (0 to below 1). */
    public PlanRequest withMemoryMargin(double margin) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer,
                seed, timeLimit, maxBlocks, margin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, executorOnly);
    }

    public PlanRequest withMaxBlocks(int blocks) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer,
                seed, timeLimit, blocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, executorOnly);
    }

    /** Fixes sequence parallelism and the gradient-reduce overlap (empty: search both settings). */
    public PlanRequest withPlanOptions(Optional<Boolean> sp, Optional<Boolean> overlap) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer,
                seed, timeLimit, maxBlocks, memoryMargin, runnerUps, pins, sp, overlap, zeroStage, expertParallel,
                virtualStages, executorOnly);
    }

    /**
     * Fixes the ZeRO stage (empty: search it, unless {@link #forExecutor}) and the expert-parallel degree (empty:
     * search it on mixture-of-experts graphs, unless {@link #forExecutor}).
     */
    public PlanRequest withSharding(OptionalInt zero, OptionalInt expert) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer,
                seed, timeLimit, maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce, zero,
                expert, virtualStages, executorOnly);
    }

    /**
     * Whether the search tries ZeRO stages: not fixed, not for the executor (a plan for it fixes ZeRO), no fixed
     * experts.
     */
    boolean searchesZero() {
        return zeroStage.isEmpty() && !executorOnly && expertParallel.orElse(1) == 1;
    }

    /**
     * The expert-parallel degrees to try on {@code data} replicas of a graph with {@code experts} routed experts
     * per layer (0 without experts): the fixed one, or (unless {@link #forExecutor} or at a ZeRO stage above 0, which
     * the simulator does not model with experts) every degree dividing both, 1 first.
     */
    List<Integer> expertDegrees(int experts, int data) {
        if (expertParallel.isPresent() || executorOnly || experts == 0 || zeroStage.orElse(0) > 0) {
            return List.of(expertParallel.orElse(1));
        }
        return IntStream.rangeClosed(1, Math.min(experts, data)).filter(e -> experts % e == 0 && data % e == 0).boxed().toList();
    }

    /**
     * Plans that modelpar's executor can train ({@code modelpar run} on local workers): every schedule (GPipe, 1F1B,
     * interleaved, ZB-H1), every recompute mode, the gradient reduction overlapped or not, sequence parallelism on
     * or off, ZeRO stage 0 or a fixed stage 1, 2 or 3 (with stage 3 not ZB-H1, whose weight-gradient pass the executor
     * does not run on gathered parameters: {@link #schedules} leaves it out), and expert degree 1 unless fixed (the
     * executor's {@code PlanSupport} says which tensor and expert degrees it runs).
     *
     * @throws PlanException when the request fixes what the executor does not run: ZeRO stage 3 with ZB-H1
     */
    public PlanRequest forExecutor() {
        int zero = zeroStage.orElse(0);
        if (zero == 3 && schedule.filter(Schedule::splitsBackward).isPresent()) {
            throw new PlanException("ZeRO stage 3 with schedule " + schedule.get().jsonName() + " is not run by modelpar's executor"
                    + " (its weight-gradient pass would run without the parameters gathered): plans for local workers with ZeRO"
                    + " stage 3 use 1f1b, gpipe or interleaved");
        }
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision,
                optimizer, seed, timeLimit, maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                OptionalInt.of(zero), expertParallel, virtualStages, true);
    }

    /**
     * The schedules the search enumerates: the fixed one, or 1F1B, GPipe and ZB-H1 (not ZB-H1 for the executor at ZeRO
     * stage 3, {@link #forExecutor}); interleaving is tried on the finalists ({@link #searchesInterleaving}).
     */
    public List<Schedule> schedules() {
        boolean split = !(executorOnly && zeroStage.orElse(0) == 3);
        return schedule.map(List::of).orElse(split ? List.of(Schedule.ONE_F_ONE_B, Schedule.GPIPE, Schedule.ZB_H1)
                : List.of(Schedule.ONE_F_ONE_B, Schedule.GPIPE));
    }

    /** Whether the finalists also try interleaved 1F1B: the schedule not fixed. */
    boolean searchesInterleaving() {
        return schedule.isEmpty();
    }

    /** The recompute modes a stage may take, lightest first: none, selective, full (the executor runs all three). */
    public List<Recompute> recomputeModes() {
        return List.of(Recompute.NONE, Recompute.SELECTIVE, Recompute.FULL);
    }

    /** What a device of {@code capacityBytes} offers a plan: its memory less the margin. */
    public long usableBytes(long capacityBytes) {
        return (long) (capacityBytes * (1 - memoryMargin));
    }
}
