package org.modelpar.simulator.program;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.simulator.plan.PlacementPlan;

/**
 * The order in which a device group runs its passes in one step, by the plan's schedule. Device group g
 * (0 &le; g &lt; p) runs stage g, and with {@code interleaved} also stages g + p, g + 2p, ... (its v model chunks).
 * With m micro-batches:
 * <ul>
 *   <li>{@code gpipe}: forwards 0..m-1, then backwards 0..m-1.</li>
 *   <li>{@code 1f1b}: {@code min(p-g-1, m)} warm-up forwards, then one forward and one backward alternately,
 *       then the remaining backwards.</li>
 *   <li>{@code interleaved} (Megatron-LM's {@code forward_backward_pipelining_with_interleaving}, the SC'21
 *       code): of the m v chunk passes each way, {@code min(2(p-g-1) + (v-1)p, m v)} warm-up forwards (all m v
 *       when m = p), then one forward and one backward alternately, then the remaining backwards. The k-th
 *       forward runs chunk {@code (k mod pv) / p}, the k-th backward chunk {@code v - 1 - (k mod pv) / p}, both
 *       on micro-batch {@code (k / pv) p + k mod p}.</li>
 *   <li>{@code zb-h1}: the 1F1B order with every backward split into its input-gradient pass followed by its
 *       weight-gradient pass, except that the weight-gradient passes of micro-batches 0..g-1 move to the end
 *       of the step (Qi et al. 2024, ZB-H1: they fill the drain while later stages finish).</li>
 * </ul>
 */
public final class ScheduleOrder {
    private ScheduleOrder() {
    }

    /** One pass of a stage over a micro-batch. */
    public record Slot(int stage, int microBatch, Direction direction) {
    }

    /** The passes of device group {@code group} in program order. */
    public static List<Slot> of(PlacementPlan plan, int group) {
        return switch (plan.schedule()) {
            case GPIPE -> gpipe(plan.microBatches(), group);
            case ONE_F_ONE_B -> oneForwardOneBackward(plan.pipelineDegree(), plan.microBatches(), group);
            case INTERLEAVED -> interleaved(plan.pipelineDegree(), plan.virtualStages(), plan.microBatches(), group);
            case ZB_H1 -> zeroBubbleH1(plan.pipelineDegree(), plan.microBatches(), group);
        };
    }

    private static List<Slot> gpipe(int m, int stage) {
        List<Slot> slots = new ArrayList<>(2 * m);
        for (int k = 0; k < m; k++) {
            slots.add(new Slot(stage, k, Direction.FORWARD));
        }
        for (int k = 0; k < m; k++) {
            slots.add(new Slot(stage, k, Direction.BACKWARD));
        }
        return slots;
    }

    private static List<Slot> oneForwardOneBackward(int p, int m, int stage) {
        List<Slot> slots = new ArrayList<>(2 * m);
        int warmup = Math.min(p - stage - 1, m);
        for (int k = 0; k < warmup; k++) {
            slots.add(new Slot(stage, k, Direction.FORWARD));
        }
        for (int k = 0; k < m - warmup; k++) {
            slots.add(new Slot(stage, warmup + k, Direction.FORWARD));
            slots.add(new Slot(stage, k, Direction.BACKWARD));
        }
        for (int k = m - warmup; k < m; k++) {
            slots.add(new Slot(stage, k, Direction.BACKWARD));
        }
        return slots;
    }

    private static List<Slot> interleaved(int p, int v, int m, int group) {
        int total = m * v;
        int warmup = m == p ? total : Math.min(2 * (p - group - 1) + (v - 1) * p, total);
        List<Slot> slots = new ArrayList<>(2 * total);
        for (int k = 0; k < warmup; k++) {
            slots.add(chunkPass(p, v, group, k, Direction.FORWARD));
        }
        for (int k = 0; k < total - warmup; k++) {
            slots.add(chunkPass(p, v, group, warmup + k, Direction.FORWARD));
            slots.add(chunkPass(p, v, group, k, Direction.BACKWARD));
        }
        for (int k = total - warmup; k < total; k++) {
            slots.add(chunkPass(p, v, group, k, Direction.BACKWARD));
        }
        return slots;
    }

    /** The k-th forward or backward of an interleaved device group. */
    private static Slot chunkPass(int p, int v, int group, int k, Direction direction) {
        int chunk = (k % (p * v)) / p;
        if (direction == Direction.BACKWARD) {
            chunk = v - 1 - chunk;
        }
        return new Slot(chunk * p + group, (k / (p * v)) * p + k % p, direction);
    }

    private static List<Slot> zeroBubbleH1(int p, int m, int stage) {
        List<Slot> slots = new ArrayList<>(3 * m);
        int deferred = Math.min(stage, m);
        for (Slot s : oneForwardOneBackward(p, m, stage)) {
            if (s.direction() == Direction.FORWARD) {
                slots.add(s);
                continue;
            }
            slots.add(new Slot(stage, s.microBatch(), Direction.INPUT_GRADIENT));
            if (s.microBatch() >= deferred) {
                slots.add(new Slot(stage, s.microBatch(), Direction.WEIGHT_GRADIENT));
            }
        }
        for (int k = 0; k < deferred; k++) {
            slots.add(new Slot(stage, k, Direction.WEIGHT_GRADIENT));
        }
        return slots;
    }
}
