package org.modelpar.solver;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
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
 * @param timeLimit       wall-clock bound of the search; empty (the default): none, the search is bounded by counts
 *                        alone and its plan does not depend on machine speed (see {@link Planner})
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
 * @param runtime         what the runtime the plan is for trains ({@link #forRuntime}): the search enumerates only
 *                        the schedules, ZeRO stages and expert degrees it accepts; {@link RuntimeCheck#ANY} by default
 */
public record PlanRequest(int globalBatchSize, OptionalInt pipeline, OptionalInt tensor, OptionalInt data,
                          OptionalInt microBatches, Optional<Schedule> schedule, Precision precision,
                          OptimizerKind optimizer, long seed, Optional<Duration> timeLimit, int maxBlocks, double memoryMargin,
                          int runnerUps, Map<String, Integer> pins, Optional<Boolean> sequenceParallel,
                          Optional<Boolean> overlapGradientReduce, OptionalInt zeroStage, OptionalInt expertParallel,
                          OptionalInt virtualStages, RuntimeCheck runtime) {
    public PlanRequest {
        runtime = runtime == null ? RuntimeCheck.ANY : runtime;
        timeLimit = timeLimit == null ? Optional.empty() : timeLimit;
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
        if (timeLimit.filter(l -> l.isZero() || l.isNegative()).isPresent()) {
            throw new IllegalArgumentException("timeLimit must be positive, got " + timeLimit.get());
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

    /** Search everything: bf16 Adam, seed 0, no time limit, 256 blocks, 5% margin, 3 runner-ups. */
    public static PlanRequest of(int globalBatchSize) {
        return new PlanRequest(globalBatchSize, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), Optional.empty(), Precision.BF16, OptimizerKind.ADAM, 0, Optional.empty(),
                256, 0.05, 3, Map.of(), Optional.empty(), Optional.empty(), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), RuntimeCheck.ANY);
    }

    public PlanRequest withDegrees(OptionalInt p, OptionalInt t, OptionalInt d, OptionalInt m) {
        return new PlanRequest(globalBatchSize, p, t, d, m, schedule, precision, optimizer, seed, timeLimit, maxBlocks,
                memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, runtime);
    }

    /** Fixes the schedule and, for {@code interleaved}, the model chunks per device group (empty: search them). */
    public PlanRequest withSchedule(Optional<Schedule> s, OptionalInt chunks) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, s, precision, optimizer, seed,
                timeLimit, maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, chunks, runtime);
    }

    public PlanRequest withSchedule(Optional<Schedule> s) {
        return withSchedule(s, OptionalInt.empty());
    }

    public PlanRequest withPrecision(Precision p, OptimizerKind o) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, p, o, seed, timeLimit,
                maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, runtime);
    }

    /** The same request for {@code samples} per step. */
    public PlanRequest withGlobalBatchSize(int samples) {
        return new PlanRequest(samples, pipeline, tensor, data, microBatches, schedule, precision, optimizer, seed,
                timeLimit, maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, runtime);
    }

    /** The seed of Timefold's local search. */
    public PlanRequest withSeed(long s) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer, s,
                timeLimit, maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, runtime);
    }

    /**
     * Bounds the search by wall-clock time ({@code plan --time-limit}): once it has passed, the search stops with the
     * best plan found so far and its explanation says what was not searched. Empty: no limit.
     */
    public PlanRequest withTimeLimit(Optional<Duration> limit) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer, seed,
                limit, maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, runtime);
    }

    /** Fixes ops to stages: a configuration with fewer stages than a pin names is not considered. */
    public PlanRequest withPins(Map<String, Integer> p) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer, seed,
                timeLimit, maxBlocks, memoryMargin, runnerUps, p, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, runtime);
    }

    /** The fraction of every device's memory the plan must leave free (0 to below 1). */
    public PlanRequest withMemoryMargin(double margin) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer,
                seed, timeLimit, maxBlocks, margin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, runtime);
    }

    public PlanRequest withMaxBlocks(int blocks) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer,
                seed, timeLimit, blocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce,
                zeroStage, expertParallel, virtualStages, runtime);
    }

    /** Fixes sequence parallelism and the gradient-reduce overlap (empty: search both settings). */
    public PlanRequest withPlanOptions(Optional<Boolean> sp, Optional<Boolean> overlap) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer,
                seed, timeLimit, maxBlocks, memoryMargin, runnerUps, pins, sp, overlap, zeroStage, expertParallel,
                virtualStages, runtime);
    }

    /**
     * Fixes the ZeRO stage (empty: search the stages the runtime trains) and the expert-parallel degree (empty: search
     * the degrees the runtime trains on mixture-of-experts graphs).
     */
    public PlanRequest withSharding(OptionalInt zero, OptionalInt expert) {
        return new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision, optimizer,
                seed, timeLimit, maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel, overlapGradientReduce, zero,
                expert, virtualStages, runtime);
    }

    /**
     * The search restricted to what {@code check} says a runtime trains (modelpar's executor on local workers:
     * {@code LocalTraining.executable}): only the schedules, ZeRO stages and expert-parallel degrees it accepts are
     * enumerated, the others searched as on any cluster.
     *
     * @throws PlanException when the runtime trains no plan of the graph (1F1B without any plan option), or the request
     *                       fixes a schedule, ZeRO stage or expert degree it refuses, with the runtime's reason
     */
    public PlanRequest forRuntime(RuntimeCheck check) {
        PlanRequest restricted = new PlanRequest(globalBatchSize, pipeline, tensor, data, microBatches, schedule, precision,
                optimizer, seed, timeLimit, maxBlocks, memoryMargin, runnerUps, pins, sequenceParallel,
                overlapGradientReduce, zeroStage, expertParallel, virtualStages, check);
        check.refusal(Schedule.ONE_F_ONE_B, PlanOptions.NONE).ifPresent(why -> {
            throw new PlanException("the runtime of this cluster trains no plan of this graph: " + why);
        });
        // whether a runtime trains interleaving depends on the placement (chunks sharing a weight), not on the setting
        schedule.filter(s -> !s.interleaves()).ifPresent(s -> restricted.refuseFixed("--schedule " + s.jsonName(), s,
                PlanOptions.NONE));
        zeroStage.ifPresent(z -> restricted.refuseFixed("--zero-stage " + z, asked(schedule.orElse(Schedule.ONE_F_ONE_B)),
                PlanOptions.NONE.withZeroStage(z)));
        expertParallel.ifPresent(e -> restricted.refuseFixed("--expert-parallel " + e, Schedule.ONE_F_ONE_B,
                PlanOptions.NONE.withExpertParallel(e)));
        return restricted;
    }

    private void refuseFixed(String flag, Schedule s, PlanOptions options) {
        runtime.refusal(s, options).ifPresent(why -> {
            throw new PlanException(flag + " is not trained by the runtime of this cluster: " + why);
        });
    }

    /** Whether the runtime trains schedule s with these options ({@link #forRuntime}). */
    private boolean runs(Schedule s, PlanOptions options) {
        return runtime.refusal(s, options).isEmpty();
    }

    /** The schedule a runtime is asked about for s: 1F1B for interleaved 1F1B (the chunks' placement decides that). */
    private static Schedule asked(Schedule s) {
        return s.interleaves() ? Schedule.ONE_F_ONE_B : s;
    }

    /**
     * The ZeRO stages the search may use with schedule s, lowest first: the fixed one, or every stage 0-3 the runtime
     * trains with it.
     */
    List<Integer> zeroStages(Schedule s) {
        return IntStream.rangeClosed(0, Planner.MOST_ZERO_STAGE)
                .filter(z -> zeroStage.orElse(z) == z && runs(asked(s), PlanOptions.NONE.withZeroStage(z)))
                .boxed().toList();
    }

    /** Whether the search tries ZeRO stages: not fixed, no fixed experts (the simulator models one of them). */
    boolean searchesZero() {
        return zeroStage.isEmpty() && expertParallel.orElse(1) == 1;
    }

    /**
     * The expert-parallel degrees to try on {@code data} replicas of a graph with {@code experts} routed experts
     * per layer (0 without experts): the fixed one, or (unless at a ZeRO stage above 0, which the simulator does not
     * model with experts) every degree dividing both that the runtime trains, 1 first.
     */
    List<Integer> expertDegrees(int experts, int data) {
        if (expertParallel.isPresent() || experts == 0 || zeroStage.orElse(0) > 0) {
            return List.of(expertParallel.orElse(1));
        }
        return IntStream.rangeClosed(1, Math.min(experts, data)).filter(e -> experts % e == 0 && data % e == 0
                && (e == 1 || runs(Schedule.ONE_F_ONE_B, PlanOptions.NONE.withExpertParallel(e)))).boxed().toList();
    }

    /**
     * The schedules the search enumerates: the fixed one, or those of 1F1B, GPipe and ZB-H1 the runtime trains at the
     * request's ZeRO stage (0 when open); interleaving is tried on the finalists ({@link #searchesInterleaving}).
     */
    public List<Schedule> schedules() {
        PlanOptions zero = PlanOptions.NONE.withZeroStage(zeroStage.orElse(0));
        return schedule.map(List::of).orElse(Stream.of(Schedule.ONE_F_ONE_B, Schedule.GPIPE, Schedule.ZB_H1)
                .filter(s -> runs(s, zero)).toList());
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
