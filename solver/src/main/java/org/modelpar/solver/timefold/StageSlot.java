package org.modelpar.solver.timefold;

/**
 * One pipeline stage, a planning value: its position, its device group and what it can hold.
 *
 * @param index         pipeline position, 0-based
 * @param label         device group, e.g. {@code a100-sxm4-80gb x8 (node0)}
 * @param capacityBytes memory one device of the group may use (capacity minus the safety margin)
 * @param inbound       link from the previous stage (receiving side of every tensor entering this stage)
 * @param outbound      link to the next stage (sending side of every tensor leaving this stage)
 */
public record StageSlot(int index, String label, long capacityBytes, SlotLink inbound, SlotLink outbound) {
    public StageSlot {
        if (index < 0 || capacityBytes < 0 || inbound == null || outbound == null) {
            throw new IllegalArgumentException("stage slot " + index + " needs index >= 0, capacity >= 0 and links, got "
                    + capacityBytes);
        }
    }

    /** A stage whose transfers are free. */
    public static StageSlot freeLinks(int index, long capacityBytes) {
        return new StageSlot(index, "stage" + index, capacityBytes, SlotLink.FREE, SlotLink.FREE);
    }
}
