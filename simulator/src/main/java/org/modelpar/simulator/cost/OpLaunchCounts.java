package org.modelpar.simulator.cost;

import org.modelpar.graph.OpNode;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.KernelLaunches.OpLaunches;
import org.modelpar.simulator.plan.OptimizerKind;

/**
 * The kernel launches a device's runtime starts for an op or an optimizer update, read from the device
 * profile's {@link org.modelpar.profiles.KernelLaunches}. What the profile does not list counts as one
 * kernel: one forward launch and two backward launches (data and weight gradients) for an op, one parameter
 * tensor when it has parameters, one launch per tensor for an optimizer update.
 */
public final class OpLaunchCounts {
    private OpLaunchCounts() {
    }

    /** The launches of {@code op} on {@code device}. */
    public static OpLaunches of(OpNode op, DeviceProfile device) {
        return device.kernelLaunches().of(op.kind())
                .orElseGet(() -> new OpLaunches(1, 2, op.parameterBytes() > 0 ? 1 : 0));
    }

    /**
     * The parameter tensors {@code ops} own on {@code device} (each updated, and under ZeRO packed, on its own), and a
     * tied weight's copy when {@code tiedCopy} (one more tensor).
     */
    public static int parameterTensors(java.util.List<OpNode> ops, boolean tiedCopy, DeviceProfile device) {
        return ops.stream().mapToInt(op -> of(op, device).parameterTensors()).sum() + (tiedCopy ? 1 : 0);
    }

    /** The launches of one update of one parameter tensor by {@code optimizer} on {@code device}. */
    public static int optimizerPerTensor(OptimizerKind optimizer, DeviceProfile device) {
        return device.kernelLaunches().optimizerPerTensor(optimizer.jsonName()).orElse(1);
    }
}
