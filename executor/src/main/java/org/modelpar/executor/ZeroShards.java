package org.modelpar.executor;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.modelpar.executor.transport.FlatViews;
import org.modelpar.executor.transport.RingCollectives;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How ZeRO stages 1 and 2 shard a stage's parameters over its d data-parallel replicas (Rajbhandari et al., "ZeRO",
 * SC 2020, sections 5.1-5.2: each replica updates 1/d of the parameters and keeps only that part of the optimizer
 * state, and with stage 2 of the gradients):
 * each parameter tensor, flattened, is cut into d equal parts (the last one shorter), and replica r owns part r of
 * every parameter, so two stages sharing a tied weight own the same part of it. The collectives run on one flat
 * vector laid out part by part ({@link #pack}: part 0 of every parameter in name order, then part 1, ...; each part
 * padded to the same length), whose ring chunk r is exactly replica r's parts.
 */
final class ZeroShards {
    private final int rank;
    private final int replicas;
    /** The parts and slots cut so far, kept: a group's shards live from step to step ({@link FlatViews}). */
    private final FlatViews views = new FlatViews();

    ZeroShards(int rank, int replicas) {
        if (replicas < 1 || rank < 0 || rank >= replicas) {
            throw new IllegalArgumentException("ZeRO rank " + rank + " of " + replicas + " replicas");
        }
        this.rank = rank;
        this.replicas = replicas;
    }

    /** The replicas the tensors are cut over. */
    int replicas() {
        return replicas;
    }

    /** This replica's part of {@code whole}: a flat view, or none when the tensor has too few elements to reach it. */
    Optional<INDArray> part(INDArray whole) {
        return partOf(whole, rank);
    }

    private Optional<INDArray> partOf(INDArray t, int r) {
        long per = partLength(t);
        long from = Math.min(r * per, t.length());
        long to = Math.min(from + per, t.length());
        return to > from ? Optional.of(views.interval(t, from, to)) : Optional.empty();
    }

    /** The length of this replica's part of a tensor of {@code length} elements (0 when the tensor is too short). */
    long ownLength(long length) {
        long per = -Math.floorDiv(-length, replicas);
        return Math.max(0, Math.min(rank * per + per, length) - Math.min(rank * per, length));
    }

    /**
     * Adds this replica's ring chunk of {@code flat} (laid out by {@link #pack} from tensors named as {@code parts}'
     * keys, with {@code lengths} elements each) to {@code parts}, each this replica's part of its tensor.
     */
    void addOwn(INDArray flat, Map<String, Long> lengths, Map<String, INDArray> parts) {
        long offset = rank * (flat.length() / replicas);
        for (Map.Entry<String, Long> e : new TreeMap<>(lengths).entrySet()) {
            long own = ownLength(e.getValue());
            if (own > 0) {
                parts.get(e.getKey()).addi(views.interval(flat, offset, offset + own));
            }
            offset += -Math.floorDiv(-e.getValue(), replicas);
        }
    }

    /**
     * The tensors laid out part by part into one flat vector of {@code replicas} equal ring chunks, a buffer lent by
     * {@code buffers} (reused from collective to collective, as the all-reduce's flat: allocated afresh each time, the
     * small mlp's ZeRO-1 packing took 0.4-1.2 ms a collective); the caller gives it back once it has unpacked it.
     */
    INDArray pack(Map<String, INDArray> tensors, RingCollectives buffers) {
        Map<String, INDArray> sorted = new TreeMap<>(tensors);
        long chunk = sorted.values().stream().mapToLong(this::partLength).sum();
        INDArray flat = buffers.lendFlat(sorted.values().iterator().next().dataType(), chunk * replicas);
        flat.assign(0); // a reused buffer: the padding of the short parts must add nothing
        forEachPart(sorted, flat, (owner, part, slot) -> slot.assign(part));
        return flat;
    }

    /** Copies this replica's parts back from {@code flat} and zeroes the rest of each tensor (a sharded gradient). */
    void unpackOwn(INDArray flat, Map<String, INDArray> tensors) {
        Map<String, INDArray> sorted = new TreeMap<>(tensors);
        sorted.values().forEach(t -> t.assign(0));
        forEachPart(sorted, flat, (owner, part, slot) -> {
            if (owner == rank) {
                part.assign(slot);
            }
        });
    }

    /** Copies every part back from {@code flat} (gathered parameters). */
    void unpackAll(INDArray flat, Map<String, INDArray> tensors) {
        forEachPart(new TreeMap<>(tensors), flat, (owner, part, slot) -> part.assign(slot));
    }

    private interface PartAction {
        void apply(int owner, INDArray part, INDArray slot);
    }

    /** Visits every part of every tensor with its place in the flat vector. */
    private void forEachPart(Map<String, INDArray> sorted, INDArray flat, PartAction action) {
        long chunk = flat.length() / replicas;
        for (int r = 0; r < replicas; r++) {
            long offset = r * chunk;
            for (INDArray t : sorted.values()) {
                int owner = r;
                long at = offset;
                partOf(t, r).ifPresent(part -> action.apply(owner, part, views.interval(flat, at, at + part.length())));
                offset += partLength(t);
            }
        }
    }

    private long partLength(INDArray t) {
        return -Math.floorDiv(-t.length(), replicas);
    }
}
