package org.modelpar.simulator.memory;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.ZeroSharding;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.StageActivations;
import org.modelpar.simulator.plan.Stash;
import org.modelpar.simulator.plan.StageProfile;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.ScheduleOrder;

/**
 * Analytical peak memory per device (docs/simulator.md#memory-model). For a device of stage i (of p) with t-way tensor
 * parallelism, b' = microBatchSize / d samples per micro-batch and graph bytes scaled from fp32 to the
 * precision (factor c = computeBytes / 4):
 * <ul>
 *   <li>parameters, gradients, optimizer: {@code ceil((stageParameters + tiedCopy) / t)} x the bytes of
 *       {@link org.modelpar.simulator.cost.StateBytes} (mixed Adam 2 + 2 + 12 = 16, fp32 Adam 4 + 4 + 8 = 16, fp32 SGD 4 + 4 + 0 = 8),
 *       where tiedCopy is the word table a logits stage keeps when the embedding is on another stage; with a ZeRO
 *       stage, sharded over the stage's data-parallel group as {@link ZeroSharding} says;</li>
 *   <li>activations: each in-flight micro-batch stashes what {@link org.modelpar.simulator.plan.StageActivations}
 *       gives for the stage's recompute mode (derived op by op by Korthikanti et al., "Reducing Activation
 *       Recomputation in Large Transformer Models", 2022, section 4: tensor-split parts / t, replicated parts
 *       / t only with sequence parallelism), plus, while a backward recomputes, one segment's rebuilt
 *       activations. GPipe keeps all m micro-batches, 1F1B stage i keeps {@code min(p - i, m)} (Narayanan et
 *       al., "Memory-efficient pipeline-parallel DNN training", ICML 2021);</li>
 *   <li>weight-gradient stash: a schedule that splits the backward (ZB-H1) keeps, from a micro-batch's
 *       input-gradient pass until its weight-gradient pass, the output gradients of the ops with parameters
 *       ({@link org.modelpar.simulator.cost.BackwardSplit}) and, of the forward's stash, only those ops' inputs and the
 *       model inputs ({@link StageActivations#weightInputs}), for {@link #maxWeightPending} micro-batches at the peak
 *       (stage i: i deferred ones and the one whose input-gradient pass runs, which still holds its whole stash);</li>
 *   <li>workspace: what one running op needs beyond the stash ({@link org.modelpar.simulator.plan.StageWorkspace}),
 *       {@code perSample x b' x c / t};</li>
 *   <li>messages: a reserved bound for pipeline messages, {@code (M + 1) x (in + out) x b' x c} (/ t with sequence
 *       parallelism or scatter/gather, whose messages carry 1/t of a boundary tensor) with in
 *       and out the stage's received and sent boundary bytes per sample and {@code M = maxInFlight(plan, 0)}
 *       (GPipe m, 1F1B min(p, m)). A sent message stays live on the sender until the peer receives it; an
 *       activation sent by stage i is unreceived only while stage i still stashes that micro-batch, a
 *       gradient only while the receiving earlier stage does, so at most M micro-batches' sends (activations
 *       out + gradients in) are live, plus one micro-batch received and not yet consumed (receives are placed
 *       right before their compute). The simulator reserves it from time 0 rather than tracking each
 *       message, so tracker and model agree exactly; it is an upper bound, not the simulated occupancy.</li>
 * </ul>
 * Byte counts round up. The event engine's memory tracker allocates exactly these amounts in program
 * order, and its peak equals {@link StageMemory#peak()}.
 *
 * <p>A device of an interleaved plan runs v stages (model chunks): it holds the parameters, gradients,
 * optimizer state and message reservations of all of them and the largest workspace (one op runs at a time),
 * and its activations peak where its program order ({@link ScheduleOrder}) has the most stashed: the stashes
 * of its forwards not yet freed, plus the rebuilt activations while a backward recomputes.
 */
public final class MemoryModel {
    private MemoryModel() {
    }

    /** Peak breakdown per device id, in plan order; validates the plan first. */
    public static Map<String, MemoryBreakdown> perDevice(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan) {
        return perDevice(PlanValidator.validate(plan, graph, cluster));
    }

    /** Peak breakdown per device id, in plan order. */
    public static Map<String, MemoryBreakdown> perDevice(PlanLayout layout) {
        Map<String, MemoryBreakdown> result = new LinkedHashMap<>();
        for (int g = 0; g < layout.plan().pipelineDegree(); g++) {
            MemoryBreakdown peak = layout.plan().virtualStages() == 1 ? stage(layout, g).peak()
                    : deviceFixed(layout, g).withActivations(interleavedPeakActivationBytes(layout, g));
            layout.plan().stages().get(g).devices().forEach(d -> result.put(d, peak));
        }
        return Collections.unmodifiableMap(result);
    }

    /**
     * What a device of device group {@code group} holds for the whole step: the fixed parts of its stages
     * summed, except the workspace, the largest of theirs.
     */
    public static MemoryBreakdown deviceFixed(PlanLayout layout, int group) {
        MemoryBreakdown sum = new MemoryBreakdown(0, 0, 0, 0, 0, 0);
        for (int s = group; s < layout.plan().pipelineStages(); s += layout.plan().pipelineDegree()) {
            MemoryBreakdown f = stage(layout, s).fixed();
            sum = new MemoryBreakdown(Math.addExact(sum.parameters(), f.parameters()),
                    Math.addExact(sum.gradients(), f.gradients()), Math.addExact(sum.optimizer(), f.optimizer()), 0,
                    Math.max(sum.workspace(), f.workspace()), Math.addExact(sum.messages(), f.messages()));
        }
        return sum;
    }

    /** Peak activations of a device of an interleaved device group, walking its passes in program order. */
    private static long interleavedPeakActivationBytes(PlanLayout layout, int group) {
        Map<Integer, StageMemory> stages = new HashMap<>();
        long stashed = 0;
        long peak = 0;
        for (ScheduleOrder.Slot slot : ScheduleOrder.of(layout.plan(), group)) {
            StageMemory m = stages.computeIfAbsent(slot.stage(), s -> stage(layout, s));
            if (slot.direction() == Direction.FORWARD) {
                stashed = Math.addExact(stashed, m.stashBytesPerMicroBatch());
                peak = Math.max(peak, stashed);
            } else {
                peak = Math.max(peak, Math.addExact(stashed, m.recomputeBytes()));
                stashed -= slot.direction().releasesStash() ? m.stashBytesPerMicroBatch() : 0;
            }
        }
        return peak;
    }

    /** The memory facts of a device of stage {@code index} (all devices of a stage hold the same). */
    public static StageMemory stage(PlanLayout layout, int index) {
        PlacementPlan plan = layout.plan();
        StageProfile sp = layout.stage(index);
        int t = plan.tensorParallel();
        long samples = layout.samplesPerReplica(index);
        boolean sequenceParallel = plan.options().sequenceParallel();
        int e = plan.precision().computeBytes();
        long boundary = new Stash(0, Math.multiplyExact(sp.inputBytesPerSample() + sp.outputBytesPerSample(), e), 0)
                .bytes(samples, t, plan.options().splitsMessages());
        long messages = Math.multiplyExact(boundary, maxInFlight(plan, 0) + 1L);
        long workspace = ceilDiv(Math.multiplyExact(sp.workspace().bytesPerSample(), samples * e), 4L * t);
        Recompute mode = plan.stages().get(index).recomputation();
        StageActivations acts = sp.activations();
        long stash = Math.addExact(acts.outside().bytes(samples, t, sequenceParallel),
                acts.stashed(mode).bytes(samples, t, sequenceParallel));
        ZeroSharding z = ZeroSharding.of(layout, index);
        MemoryBreakdown fixed = new MemoryBreakdown(Math.addExact(z.parameterBytes(), z.gatheredBytes()), z.gradientBytes(),
                z.optimizerBytes(), 0, workspace, messages);
        boolean split = plan.schedule().splitsBackward();
        long weightGradients = split ? acts.weightGradients().bytes(samples, t, sequenceParallel) : 0;
        long weightInputs = split ? Math.min(stash, acts.weightInputs().bytes(samples, t, sequenceParallel)) : 0;
        return new StageMemory(fixed, stash, acts.recomputeBytes(mode, samples, t, sequenceParallel),
                maxInFlight(plan, index), weightGradients, weightInputs, maxWeightPending(plan, index));
    }

    /**
     * Most micro-batches a stage stashes whole at once: GPipe m; 1F1B and ZB-H1 min(p - i, m) (the i micro-batches
     * whose weight-gradient passes ZB-H1 defers keep only those passes' inputs, {@link StageMemory#weightInputBytes});
     * interleaved counted along its device group's order. Stage 0 stashes the most in every schedule.
     */
    public static int maxInFlight(PlacementPlan plan, int stage) {
        int m = plan.microBatches();
        int p = plan.pipelineDegree();
        return switch (plan.schedule()) {
            case GPIPE -> m;
            case ONE_F_ONE_B, ZB_H1 -> Math.min(p - stage, m);
            case INTERLEAVED -> interleavedInFlight(plan, stage);
        };
    }

    /**
     * Most micro-batches of a stage between their input-gradient and weight-gradient passes at once, counted where
     * the stash peaks: ZB-H1 stage i {@code min(i + 1, m)} (the i whose weight-gradient passes it defers to the end
     * of the step, plus the one whose input-gradient pass runs, while p - i micro-batches are stashed whole); 0 for
     * schedules that do not split the backward.
     */
    public static int maxWeightPending(PlacementPlan plan, int stage) {
        return plan.schedule().splitsBackward() ? Math.min(stage + 1, plan.microBatches()) : 0;
    }

    /**
     * {@link #maxInFlight} of every stage, in stage order; an interleaved schedule's order is walked once per device
     * group (for all its model chunks), not once per stage.
     */
    public static int[] maxInFlight(PlacementPlan plan) {
        int stages = plan.stages().size();
        int[] most = new int[stages];
        if (plan.schedule() == Schedule.INTERLEAVED) {
            for (int g = 0; g < Math.min(plan.pipelineDegree(), stages); g++) {
                interleavedInFlight(plan, g, most);
            }
        } else {
            for (int s = 0; s < stages; s++) {
                most[s] = maxInFlight(plan, s);
            }
        }
        return most;
    }

    private static int interleavedInFlight(PlacementPlan plan, int stage) {
        int[] most = new int[plan.stages().size()];
        interleavedInFlight(plan, stage % plan.pipelineDegree(), most);
        return most[stage];
    }

    /** The most stashed at once of each stage of device group {@code group}, into {@code most}, along its order. */
    private static void interleavedInFlight(PlacementPlan plan, int group, int[] most) {
        int[] stashed = new int[most.length];
        for (ScheduleOrder.Slot slot : ScheduleOrder.of(plan, group)) {
            int s = slot.stage();
            stashed[s] += slot.direction() == Direction.FORWARD ? 1 : slot.direction().releasesStash() ? -1 : 0;
            most[s] = Math.max(most[s], stashed[s]);
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
