package org.modelpar.graph;

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
 */
public record OpNode(String id, String name, String kind, String layer,
                     double forwardFlops, double backwardFlops,
                     long parameterBytes, long activationBytes, long workspaceBytes,
                     Map<String, MeasuredTime> measured) {
    public OpNode {
        Checks.id("op id", id);
        try {
            name = name == null || name.isBlank() ? id : name;
            kind = Checks.id("kind", kind);
            layer = layer == null ? "" : layer;
            Checks.nonNegative("forwardFlops", forwardFlops);
            Checks.nonNegative("backwardFlops", backwardFlops);
            Checks.nonNegative("parameterBytes", parameterBytes);
            Checks.nonNegative("activationBytes", activationBytes);
            Checks.nonNegative("workspaceBytes", workspaceBytes);
            measured = measured == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(measured));
        } catch (GraphException e) {
            throw new GraphException("op '" + id + "': " + e.getMessage(), e);
        }
    }

    /** An op without measured times. */
    public static OpNode of(String id, String kind, String layer, double forwardFlops, double backwardFlops,
                            long parameterBytes, long activationBytes) {
        return new OpNode(id, id, kind, layer, forwardFlops, backwardFlops, parameterBytes, activationBytes, 0, Map.of());
    }

    /** The measured time on a device type, if this op carries one. */
    public Optional<MeasuredTime> measuredOn(String deviceType) {
        return Optional.ofNullable(measured.get(deviceType));
    }

    /** Number of fp32 parameters ({@code parameterBytes / 4}). */
    public long parameterCount() {
        return parameterBytes / 4;
    }
}
