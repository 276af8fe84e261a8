package org.modelpar.executor.profile;

import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.modelpar.executor.GarbageCollections;

/**
 * Measurements that no garbage collection ran through: a measurement during which the JVM collected is taken again, up
 * to {@link #tries} times ({@link GarbageCollections}: at the small gpt's rate, pauses of 35-90 ms with the parallel
 * collector on 2 cores, every 0.5-0.8 s). A host capacity round (about 100 ms) that one lands in reads the pause as the
 * threads' own time: with one such pause in every other round the median capacity of 2 workers read 1.0 (clamped) where
 * the rounds without one read 1.6-2.0.
 */
final class GcFree {
    /** Tries of a measurement: at about one pause per five rounds, all four see one once in some six hundred samples. */
    static final int TRIES = 4;
    private final LongSupplier collections;
    private final int tries;

    /**
     * @param collections the collections so far (it grows when one runs)
     * @param tries       the most times a measurement is taken
     */
    GcFree(LongSupplier collections, int tries) {
        if (tries < 1) {
            throw new IllegalArgumentException("a measurement needs at least 1 try, got " + tries);
        }
        this.collections = collections;
        this.tries = tries;
    }

    /** This JVM's collectors, {@link #TRIES} tries. */
    static GcFree ofThisJvm() {
        return new GcFree(GarbageCollections::soFar, TRIES);
    }

    /**
     * The first result of {@code measurement} during which no collection ran; the last one's when every try saw one (a
     * measurement is never refused: one with a pause in it is still the best there is).
     */
    <T> T measure(Supplier<T> measurement) {
        T result = null;
        for (int i = 0; i < tries; i++) {
            long before = collections.getAsLong();
            result = measurement.get();
            if (collections.getAsLong() == before) {
                return result;
            }
        }
        return result;
    }
}
