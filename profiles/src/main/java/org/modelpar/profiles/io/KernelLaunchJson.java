package org.modelpar.profiles.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.modelpar.profiles.KernelLaunches;
import org.modelpar.profiles.KernelLaunches.OpLaunches;
import org.modelpar.profiles.ProfileException;

/**
 * The optional {@code kernelLaunches} field of a device: {@code {"ops": {KIND: {"forward": F, "backward": B,
 * "parameterTensors": P}}, "optimizerPerTensor": {OPTIMIZER: N}}}; absent when the device lists no counts.
 */
final class KernelLaunchJson {
    private static final Set<String> FIELDS = Set.of("ops", "optimizerPerTensor");
    private static final Set<String> OP_FIELDS = Set.of("forward", "backward", "parameterTensors");

    private KernelLaunchJson() {
    }

    static KernelLaunches read(Json field) {
        if (!field.present()) {
            return KernelLaunches.NONE;
        }
        field.requireObject().allowOnly(FIELDS);
        Map<String, OpLaunches> ops = new TreeMap<>();
        if (field.field("ops").present()) {
            for (Map.Entry<String, Json> e : field.field("ops").members()) {
                Json op = e.getValue().requireObject().allowOnly(OP_FIELDS);
                if (e.getKey().isBlank()) {
                    throw op.error("op kind must be non-empty");
                }
                ops.put(e.getKey(), new OpLaunches(op.field("forward").nonNegativeInt(),
                        op.field("backward").nonNegativeInt(), op.field("parameterTensors").nonNegativeInt()));
            }
        }
        Map<String, Integer> optimizers = new TreeMap<>();
        if (field.field("optimizerPerTensor").present()) {
            for (Map.Entry<String, Json> e : field.field("optimizerPerTensor").members()) {
                if (e.getKey().isBlank()) {
                    throw e.getValue().error("optimizer name must be non-empty");
                }
                optimizers.put(e.getKey(), e.getValue().nonNegativeInt());
            }
        }
        try {
            return new KernelLaunches(ops, optimizers);
        } catch (ProfileException e) {
            throw field.error(e.getMessage());
        }
    }

    /** Adds the field to a device object unless the device lists no counts. */
    static void write(ObjectNode device, KernelLaunches launches) {
        if (launches.isEmpty()) {
            return;
        }
        ObjectNode o = device.putObject("kernelLaunches");
        ObjectNode ops = o.putObject("ops");
        launches.opKinds().forEach((kind, l) -> ops.putObject(kind).put("forward", l.forward())
                .put("backward", l.backward()).put("parameterTensors", l.parameterTensors()));
        ObjectNode optimizers = o.putObject("optimizerPerTensor");
        launches.optimizerPerTensor().forEach(optimizers::put);
    }
}
