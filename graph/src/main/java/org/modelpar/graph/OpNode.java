package org.modelpar.graph;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One operation of the computation graph. FLOPs and bytes are per sample; measured times are for the
 * graph's {@code measuredBatchSize} samples, keyed by device type name.
 *
 * @param id              unique id within the graph
 * @param name            human-readable name (defaults to the id)
 * @param kind            op kind, e.g. {@code linear}, {@code layernorm}, {@code attention-scores}
 * @param layer           layer tag used for coarsening and exports (e.g. {@code block3}); may be empty
 * @param forwardFlops    forward FLOPs per sample (matrix multiplications count 2mnk)
 * @param backwardFlops   backward FLOPs per sample
 * @param parameterBytes  bytes of the op's parameters at fp32
 * @param activationBytes bytes per sample of the op's output, which is also what it stashes for backward
 * @param workspaceBytes  temporary bytes per sample while the op runs
 * @param measured        measured times per device type (may be empty)
 * @param attributes      shape and wiring facts the executor and exporters need, as strings
 *                        (e.g. {@code in=64}, {@code out=256}, {@code heads=4}, {@code tiedTo=embed});
 *                        may be empty
 */
public record OpNode(String id, String name, String kind, String layer,
                     double forwardFlops, double backwardFlops,
                     long parameterBytes, long activationBytes, long workspaceBytes,
                     Map<String, MeasuredTime> measured, Map<String, String> attributes) {
    public OpNode {
        Checks.id("op id", id);
        try {
            name = name == null || name.isBlank() ? id : name;
            kind = Checks.id("kind", kind);
            layer = layer == null ? "" : layer;
            Checks.flops("forwardFlops", forwardFlops);
            Checks.flops("backwardFlops", backwardFlops);
            Checks.bytes("parameterBytes", parameterBytes);
            Checks.bytes("activationBytes", activationBytes);
            Checks.bytes("workspaceBytes", workspaceBytes);
            measured = measured == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(measured));
            attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(attributes));
        } catch (GraphException e) {
            throw new GraphException("op '" + id + "': " + e.getMessage(), e);
        }
    }

    /** An op without measured times. */
    public static OpNode of(String id, String kind, String layer, double forwardFlops, double backwardFlops,
                            long parameterBytes, long activationBytes) {
        return new OpNode(id, id, kind, layer, forwardFlops, backwardFlops, parameterBytes, activationBytes, 0, Map.of(), Map.of());
    }

    /** This op with {@code workspaceBytes} replaced. */
    public OpNode withWorkspaceBytes(long bytes) {
        return new OpNode(id, name, kind, layer, forwardFlops, backwardFlops, parameterBytes, activationBytes, bytes,
                measured, attributes);
    }

    /** This op with its measured time on {@code deviceType} set (replacing one it carries for that type). */
    public OpNode withMeasured(String deviceType, MeasuredTime time) {
        Map<String, MeasuredTime> times = new TreeMap<>(measured);
        times.put(deviceType, time);
        return new OpNode(id, name, kind, layer, forwardFlops, backwardFlops, parameterBytes, activationBytes,
                workspaceBytes, times, attributes);
    }

    /** The measured time on a device type, if this op carries one. */
    public Optional<MeasuredTime> measuredOn(String deviceType) {
        return Optional.ofNullable(measured.get(deviceType));
    }

    /** A numeric attribute, if present; a non-numeric value is a {@link GraphException} naming the op. */
    public Optional<Long> longAttribute(String key) {
        String v = attributes.get(key);
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new GraphException("op '" + id + "': attribute " + key + " must be an integer, got '" + v + "'");
        }
    }

    /** Number of fp32 parameters ({@code parameterBytes / 4}). */
    public long parameterCount() {
        return parameterBytes / 4;
    }
}
