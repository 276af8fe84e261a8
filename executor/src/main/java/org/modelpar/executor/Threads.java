package org.modelpar.executor;

import org.nd4j.linalg.factory.Nd4j;

/** ND4J's thread budget: OpenMP and BLAS threads (process-wide in nd4j-native, so one budget for every worker). */
public final class Threads {
    private Threads() {
    }

    /** Gives each ND4J call {@code threads} OpenMP/BLAS threads (1 per worker on a small CPU machine). */
    public static void configure(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }
}
