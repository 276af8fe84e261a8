package org.modelpar.simulator.program;

import java.util.List;

/**
 * The ordered instructions of one device.
 *
 * @param device       cluster device id
 * @param stage        the stage it serves; in an interleaved plan its device group g, which serves stages g,
 *                     g + p, ... (each instruction names its own stage)
 * @param replica      its data-parallel replica within the stage
 * @param tensorRank   its tensor-parallel rank within the replica
 * @param instructions program order
 */
public record DeviceProgram(String device, int stage, int replica, int tensorRank, List<Instruction> instructions) {
    public DeviceProgram {
        instructions = List.copyOf(instructions);
    }
}
