package org.modelpar.simulator.timeline;

import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Stream;

/**
 * One instruction as it ran (or was simulated to run) on its device.
 *
 * @param device       device id
 * @param step         training step (0 for a simulated step)
 * @param index        position of the instruction in the device's program
 * @param instruction  the instruction
 * @param startSeconds start, seconds since the timeline's origin
 * @param endSeconds   end, at or after the start
 */
public record Span(String device, int step, int index, Instruction instruction, double startSeconds, double endSeconds) {
    public Span {
        if (step < 0 || index < 0) {
            throw new IllegalArgumentException("span '" + (instruction == null ? "?" : instruction.name()) + "' on " + device
                    + ": step " + step + " and index " + index + " must be >= 0");
        }
        if (!(endSeconds >= startSeconds)) {
            throw new IllegalArgumentException("span '" + instruction.name() + "' on " + device + ": end " + endSeconds
                    + " s is before its start " + startSeconds + " s");
        }
    }

    /** The instruction's name, shared by simulated and measured traces. */
    public String name() {
        return instruction.name();
    }

    public Stream stream() {
        return instruction.stream();
    }

    /** Bytes the instruction moves between devices (0 on the compute stream). */
    public long bytes() {
        return instruction.bytes();
    }

    public double seconds() {
        return endSeconds - startSeconds;
    }
}
