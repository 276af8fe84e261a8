package org.modelpar.executor;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.modelpar.executor.model.Stash;
import org.modelpar.executor.model.WeightStash;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a worker keeps of each pass between its instructions, by stage and micro-batch, counted as activations in
 * its ledger: the stash of a forward until its backward (then only its inputs, until {@code Free}), and what a
 * split backward's input-gradient pass keeps for its weight-gradient pass.
 */
final class Stashes {
    private final MemoryLedger ledger;
    private final Map<List<Integer>, Stash> stash = new HashMap<>();
    private final Map<List<Integer>, WeightStash> weights = new HashMap<>();

    Stashes(MemoryLedger ledger) {
        this.ledger = ledger;
    }

    /** Keeps a forward's stash. */
    void put(int stage, int mb, Stash s) {
        ledger.allocate(MemoryCategory.ACTIVATIONS, s.bytes());
        stash.put(List.of(stage, mb), s);
    }

    /** The forward's stash of a pass. */
    Stash get(int stage, int mb) {
        return Objects.requireNonNull(stash.get(List.of(stage, mb)), () -> "no stashed forward of stage " + stage
                + " micro-batch " + mb);
    }

    /** After a backward (or its input-gradient part): only the stash's inputs stay, until {@code Free}. */
    void keepInputsOnly(int stage, int mb) {
        Stash s = get(stage, mb);
        Stash inputsOnly = s.inputsOnly();
        ledger.release(MemoryCategory.ACTIVATIONS, s.bytes() - inputsOnly.bytes());
        stash.put(List.of(stage, mb), inputsOnly);
    }

    /** Keeps what a split backward's weight-gradient pass needs. */
    void putWeights(int stage, int mb, WeightStash w) {
        ledger.allocate(MemoryCategory.ACTIVATIONS, w.bytes());
        weights.put(List.of(stage, mb), w);
    }

    /** Takes what the input-gradient pass kept for the weight-gradient pass (released from the ledger). */
    WeightStash takeWeights(int stage, int mb) {
        WeightStash w = weights.remove(List.of(stage, mb));
        if (w == null) {
            throw new IllegalStateException("no input-gradient pass of stage " + stage + " micro-batch " + mb + " ran before its"
                    + " weight-gradient pass");
        }
        ledger.release(MemoryCategory.ACTIVATIONS, w.bytes());
        return w;
    }

    /** Drops a pass's stash ({@code Free}); returns its arrays (none when nothing was kept). */
    List<INDArray> free(int stage, int mb) {
        Stash s = stash.remove(List.of(stage, mb));
        if (s == null) {
            return List.of();
        }
        ledger.release(MemoryCategory.ACTIVATIONS, s.bytes());
        return s.arrays();
    }

    /** The passes still stashed, as {@code [stage, micro-batch]}. */
    List<List<Integer>> passes() {
        return List.copyOf(stash.keySet());
    }

    /** Every array still kept (may repeat). */
    void addArraysTo(Collection<INDArray> out) {
        stash.values().forEach(s -> out.addAll(s.arrays()));
        weights.values().forEach(w -> out.addAll(w.arrays()));
    }

    /** The end of a step: weight stashes that never ran are released from the ledger (stashes go through {@link #free}). */
    void clearWeights() {
        weights.values().forEach(w -> ledger.release(MemoryCategory.ACTIVATIONS, w.bytes()));
        weights.clear();
    }
}
