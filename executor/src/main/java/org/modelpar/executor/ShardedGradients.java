package org.modelpar.executor;

import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.transport.RingCollectives;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A device's gradients under ZeRO stage 2 (Rajbhandari et al., "ZeRO", SC 2020, section 5.2): across micro-batches
 * the device keeps only the sum of its part of each parameter's gradient ({@link ZeroShards}); a whole gradient
 * exists only from the moment a backward first adds to it ({@link #get}, as autograd allocates a gradient) until
 * its bucket is reduce-scattered ({@link #pack}, {@link #addOwn}). As a map it holds the whole gradients that exist.
 * All accounted in the device's ledger as gradients.
 */
final class ShardedGradients extends AbstractMap<String, INDArray> {
    private final ZeroShards shards;
    private final Map<String, long[]> shapes;
    private final DataType type;
    private final MemoryLedger ledger;
    private final Map<String, INDArray> whole = new LinkedHashMap<>();
    private final Map<String, INDArray> parts = new LinkedHashMap<>();

    /** @param shapes every parameter's shape, by name */
    ShardedGradients(Map<String, long[]> shapes, DataType type, ZeroShards shards, MemoryLedger ledger) {
        this.shards = shards;
        this.shapes = Map.copyOf(shapes);
        this.type = type;
        this.ledger = ledger;
        shapes.forEach((name, shape) -> {
            long own = shards.ownLength(Arrays.stream(shape).reduce(1, Math::multiplyExact));
            if (own > 0) {
                parts.put(name, allocate(new long[] {own}));
            }
        });
    }

    /** The whole gradient of {@code name}, allocated as zeros when nothing has added to it since its last reduction. */
    @Override
    public INDArray get(Object name) {
        INDArray g = whole.get(name);
        long[] shape = shapes.get(name);
        if (g == null && shape != null) {
            g = allocate(shape);
            whole.put((String) name, g);
        }
        return g;
    }

    @Override
    public Set<Entry<String, INDArray>> entrySet() {
        return Collections.unmodifiableMap(whole).entrySet();
    }

    /**
     * The whole gradients {@code names} packed for a reduce-scatter into a flat buffer lent by {@code buffers}
     * ({@link ZeroShards#pack}, accounted as gradients until {@link #addOwn}); the whole gradients are freed.
     */
    INDArray pack(List<String> names, RingCollectives buffers) {
        Map<String, INDArray> bucket = new LinkedHashMap<>();
        names.forEach(n -> bucket.put(n, get(n)));
        INDArray flat = shards.pack(bucket, buffers);
        ledger.allocate(MemoryCategory.GRADIENTS, Tensors.bytes(flat));
        names.forEach(n -> free(whole.remove(n)));
        return flat;
    }

    /** Adds this device's chunk of a reduce-scattered {@link #pack} of {@code names} to its parts, and frees it. */
    void addOwn(INDArray flat, List<String> names) {
        Map<String, Long> lengths = new LinkedHashMap<>();
        names.forEach(n -> lengths.put(n, Arrays.stream(shapes.get(n)).reduce(1, Math::multiplyExact)));
        shards.addOwn(flat, lengths, parts);
        free(flat);
    }

    /** Puts this device's part of {@code name} into its whole gradient (zeros elsewhere), for a tied weight's all-reduce. */
    INDArray expand(String name) {
        INDArray g = get(name);
        part(name).ifPresent(p -> shards.part(g).orElseThrow().assign(p));
        return g;
    }

    /** Takes this device's part back out of the whole gradient of {@code name} after {@link #expand}, and frees it. */
    void collapse(String name) {
        INDArray g = whole.remove(name);
        part(name).ifPresent(p -> p.assign(shards.part(g).orElseThrow()));
        free(g);
    }

    /** This device's part of the summed gradient of {@code name}; none when the tensor is too short to reach it. */
    Optional<INDArray> part(String name) {
        return Optional.ofNullable(parts.get(name));
    }

    /** Zeroes the parts of {@code names} (after the optimizer step). */
    void zero(Collection<String> names) {
        names.forEach(n -> part(n).ifPresent(p -> p.assign(0)));
    }

    /** Whether a part holds an infinity or NaN (an fp16 overflow). */
    boolean overflowed() {
        return parts.values().stream().anyMatch(g -> g.isInfinite().any() || g.isNaN().any());
    }

    private INDArray allocate(long[] shape) {
        INDArray g;
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            g = Nd4j.zeros(type, shape);
        }
        ledger.allocate(MemoryCategory.GRADIENTS, Tensors.bytes(g));
        return g;
    }

    /** Drops an array (its memory goes with its last reference: the transport may still read a ring chunk of it). */
    private void free(INDArray g) {
        ledger.release(MemoryCategory.GRADIENTS, Tensors.bytes(g));
    }
}
