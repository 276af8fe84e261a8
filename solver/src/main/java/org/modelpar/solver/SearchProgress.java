package org.modelpar.solver;

/** Receives progress of a long search (the CLI prints it on stderr). */
@FunctionalInterface
public interface SearchProgress {
    /**
     * @param tried             configurations placed so far
     * @param total             configurations to place
     * @param bestEstimateLabel best configuration so far with its estimated step time, or empty
     */
    void update(int tried, int total, String bestEstimateLabel);

    SearchProgress NONE = (tried, total, best) -> { };
}
