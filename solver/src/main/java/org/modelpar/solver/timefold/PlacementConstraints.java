package org.modelpar.solver.timefold;

import static ai.timefold.solver.core.api.score.stream.ConstraintCollectors.sumLong;

import ai.timefold.solver.core.api.score.buildin.bendablelong.BendableLongScore;
import ai.timefold.solver.core.api.score.stream.Constraint;
import ai.timefold.solver.core.api.score.stream.ConstraintCollectors;
import ai.timefold.solver.core.api.score.stream.ConstraintFactory;
import ai.timefold.solver.core.api.score.stream.ConstraintProvider;
import ai.timefold.solver.core.api.score.stream.Joiners;
import ai.timefold.solver.core.api.score.stream.bi.BiConstraintStream;
import ai.timefold.solver.core.api.score.stream.quad.QuadConstraintStream;
import ai.timefold.solver.core.api.score.stream.tri.TriConstraintStream;

/**
 * The placement constraints, hard before soft, one method each. Stateless.
 *
 * <p>Stage time per micro-batch (the pipeline's steady-state period, which the simulator's step time grows
 * with): compute of its blocks on its device group + their all-reduce share + forward/backward transfers of
 * every output entering the stage (on its inbound link, once however many of its links enter) or leaving it
 * (on its outbound link, once to each later stage reading it, as the simulator sends it); {@link SplitCost}
 * is the same time for the dynamic program.
 */
public final class PlacementConstraints implements ConstraintProvider {
    public static final String STAGE_ORDER = "stageOrder";
    public static final String DEVICE_MEMORY = "deviceMemory";
    public static final String BOTTLENECK_STAGE = "bottleneckStage";
    public static final String CROSS_STAGE_TRAFFIC = "crossStageTraffic";

    private static final int LEVELS = 2;

    @Override
    public Constraint[] defineConstraints(ConstraintFactory factory) {
        return new Constraint[] {
                stageOrder(factory),
                deviceMemory(factory),
                bottleneckStage(factory),
                crossStageTraffic(factory)
        };
    }

    /** Hard: no tensor from a later stage to an earlier one; penalized by how many stages it goes back. */
    Constraint stageOrder(ConstraintFactory factory) {
        return links(factory)
                .filter((link, from, to) -> from.stageIndex() > to.stageIndex())
                .penalizeLong(BendableLongScore.ofHard(LEVELS, LEVELS, 0, 1),
                        (link, from, to) -> from.stageIndex() - to.stageIndex())
                .asConstraint(STAGE_ORDER);
    }

    /** Hard: bytes over capacity on each stage's devices. */
    Constraint deviceMemory(ConstraintFactory factory) {
        return factory.forEach(BlockAssignment.class)
                .groupBy(BlockAssignment::getStage, sumLong(BlockAssignment::memoryBytes))
                .filter((stage, bytes) -> bytes > stage.capacityBytes())
                .penalizeLong(BendableLongScore.ofHard(LEVELS, LEVELS, 1, 1),
                        (stage, bytes) -> bytes - stage.capacityBytes())
                .asConstraint(DEVICE_MEMORY);
    }

    /** Soft: the slowest stage's time per micro-batch, in nanoseconds (groupBy stage, then max). */
    Constraint bottleneckStage(ConstraintFactory factory) {
        BiConstraintStream<StageSlot, Long> blockTime = factory.forEach(BlockAssignment.class)
                .map(BlockAssignment::getStage, BlockAssignment::stageNanos);
        QuadConstraintStream<BlockLink.Output, StageSlot, StageSlot, Long> sent = crossing(factory)
                .groupBy((link, from, to) -> link.output(), (link, from, to) -> from.getStage(),
                        (link, from, to) -> to.getStage(), sumLong((link, from, to) -> link.bytes()));
        TriConstraintStream<BlockLink.Output, StageSlot, Long> received = received(factory);
        BiConstraintStream<StageSlot, Long> sending = sent.map((output, from, to, bytes) -> from,
                (output, from, to, bytes) -> from.outbound().roundTripNanos(output.sent(bytes)));
        BiConstraintStream<StageSlot, Long> receiving = received
                .map((output, stage, bytes) -> stage, (output, stage, bytes) -> stage.inbound().roundTripNanos(output.sent(bytes)));
        return blockTime.concat(sending).concat(receiving)
                .groupBy((stage, nanos) -> stage, sumLong((StageSlot stage, Long nanos) -> nanos))
                .groupBy(ConstraintCollectors.<StageSlot, Long, Long>max((stage, total) -> total))
                .penalizeLong(BendableLongScore.ofSoft(LEVELS, LEVELS, 0, 1), nanos -> nanos)
                .asConstraint(BOTTLENECK_STAGE);
    }

    /** Soft (secondary): bytes received from other stages per micro-batch (each output once per receiving stage). */
    Constraint crossStageTraffic(ConstraintFactory factory) {
        return received(factory)
                .penalizeLong(BendableLongScore.ofSoft(LEVELS, LEVELS, 1, 1), (output, stage, bytes) -> output.sent(bytes))
                .asConstraint(CROSS_STAGE_TRAFFIC);
    }

    /** Per output and stage reading it: the bytes of the output's links into that stage. */
    private static TriConstraintStream<BlockLink.Output, StageSlot, Long> received(ConstraintFactory factory) {
        return crossing(factory).groupBy((link, from, to) -> link.output(), (link, from, to) -> to.getStage(),
                sumLong((link, from, to) -> link.bytes()));
    }

    private static TriConstraintStream<BlockLink, BlockAssignment, BlockAssignment> crossing(ConstraintFactory factory) {
        return links(factory).filter((link, from, to) -> from.stageIndex() != to.stageIndex());
    }

    private static TriConstraintStream<BlockLink, BlockAssignment, BlockAssignment> links(ConstraintFactory factory) {
        return factory.forEach(BlockLink.class)
                .join(BlockAssignment.class, Joiners.equal(BlockLink::from, BlockAssignment::blockIndex))
                .join(BlockAssignment.class, Joiners.equal((link, from) -> link.to(), BlockAssignment::blockIndex));
    }
}
