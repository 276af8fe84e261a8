package org.modelpar.executor.model;

import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The parameter units a backward part may re-gather under ZeRO stage 3, to rebuild a recompute segment over several
 * units ({@link GatherOrder#recompute}): which are held now, and gathering, reading and freeing one.
 */
public interface UnitParameters {
    /** None to gather: every parameter is present (no ZeRO stage 3), so no segment needs a re-gather. */
    UnitParameters NONE = new UnitParameters() {
        @Override
        public boolean sharded() {
            return false;
        }

        @Override
        public Set<Integer> held() {
            return Set.of();
        }

        @Override
        public void gather(int unit) {
            throw new IllegalStateException("unit " + unit + " is gathered for a recompute, but no parameters are sharded");
        }

        @Override
        public Map<String, INDArray> parameters(int unit) {
            throw new IllegalStateException("unit " + unit + "'s parameters are read for a recompute, but none are sharded");
        }

        @Override
        public void release(int unit) {
            throw new IllegalStateException("unit " + unit + " is freed after a recompute, but no parameters are sharded");
        }
    };

    /** Whether the units' parameters are sharded between uses (else every parameter is present, as with ZeRO stage 2). */
    default boolean sharded() {
        return true;
    }

    /** The units of the stage whose parameters are gathered (or being gathered) now. */
    Set<Integer> held();

    /** All-gathers unit {@code unit}'s parameters; returns once they are present. */
    void gather(int unit);

    /** Unit {@code unit}'s whole parameters (empty for a unit without any). */
    Map<String, INDArray> parameters(int unit);

    /** Frees unit {@code unit}'s gathered parameters. */
    void release(int unit);
}
