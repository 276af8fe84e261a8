package org.modelpar.simulator.plan;

import java.util.List;
import java.util.Set;

/**
 * What one micro-batch of a stage stashes for its backward pass, by recompute mode ({@link ActivationRules}
 * builds it). A stage's ops fall into recompute segments (its transformer layers; in a graph without attention
 * the whole stage is one segment) and ops outside every segment (embedding, final norm, logits, loss), whose
 * stash is always kept.
 *
 * @param outside              stash of ops outside the segments, plus model inputs (and, in a graph without
 *                             attention, the stage's received inputs)
 * @param segments             one per recompute segment on the stage, in order
 * @param coreOps              ids of the attention-core ops that selective recomputation re-runs
 * @param segmentOps           ids of the ops full recomputation re-runs
 * @param recomputedAllReduces per-sample bytes of the tensor-parallel collectives of a forward pass that full
 *                             recomputation re-runs (those of the segments' ops)
 * @param weightGradients      what a micro-batch keeps from its input-gradient pass until its weight-gradient pass
 *                             when the schedule splits the backward: the output gradients of the ops with
 *                             parameters ({@link org.modelpar.simulator.cost.BackwardSplit}), split as the outputs are
 * @param weightInputs         what of the forward's stash a micro-batch keeps from its input-gradient pass until its
 *                             weight-gradient pass when the schedule splits the backward: the inputs of the ops with
 *                             parameters (a weight gradient {@code x^T dy} reads x) and the model inputs; the rest of
 *                             the stash is released when the input-gradient pass ends
 */
public record StageActivations(Stash outside, List<Segment> segments, Set<String> coreOps, Set<String> segmentOps,
                               List<Long> recomputedAllReduces, Stash weightGradients, Stash weightInputs) {
    public StageActivations {
        segments = List.copyOf(segments);
        coreOps = Set.copyOf(coreOps);
        segmentOps = Set.copyOf(segmentOps);
        recomputedAllReduces = List.copyOf(recomputedAllReduces);
    }

    /**
     * One recompute segment.
     *
     * @param kept       stash without recomputation, less the attention core
     * @param core       the attention core (softmax output, dropout mask and dropout output)
     * @param checkpoint what full recomputation keeps: the tensors entering the segment
     */
    public record Segment(Stash kept, Stash core, Stash checkpoint) {
    }

    /** Stash of one micro-batch held from its forward until its backward. */
    public Stash stashed(Recompute mode) {
        Stash sum = Stash.NONE;
        for (Segment s : segments) {
            sum = sum.plus(switch (mode) {
                case NONE -> s.kept().plus(s.core());
                case SELECTIVE -> s.kept();
                case FULL -> s.checkpoint();
            });
        }
        return sum;
    }

    /**
     * Most bytes rebuilt at once while a backward recomputes (one segment at a time): the attention core
     * (selective) or a segment's stash beyond its checkpoint (full); 0 without recomputation.
     */
    public long recomputeBytes(Recompute mode, long samples, int tensorParallel, boolean sequenceParallel) {
        long most = 0;
        for (Segment s : segments) {
            Stash rebuilt = switch (mode) {
                case NONE -> Stash.NONE;
                case SELECTIVE -> s.core();
                case FULL -> s.kept().plus(s.core()).minus(s.checkpoint());
            };
            most = Math.max(most, rebuilt.bytes(samples, tensorParallel, sequenceParallel));
        }
        return most;
    }

    /** Whether the backward of a stage in {@code mode} re-runs the forward of op {@code id}. */
    public boolean recomputes(Recompute mode, String id) {
        return switch (mode) {
            case NONE -> false;
            case SELECTIVE -> coreOps.contains(id);
            case FULL -> segmentOps.contains(id);
        };
    }
}
