package org.modelpar.executor.train;

import java.nio.file.Path;
import java.util.Optional;
import org.modelpar.executor.ExecutorOptions;

/**
 * A training run.
 *
 * @param steps         total steps the run ends at (a resumed run continues up to this count)
 * @param executor      executor options (seed, learning rate, budgets, fault hook)
 * @param dataSeed      seed of the synthetic task's data
 * @param checkpointDir where to write a checkpoint after every step, if anywhere
 * @param resumeDir     checkpoint to continue from, if any
 * @param warmUp        whether warm-up steps ({@link WarmUp}) run before the run's steps
 */
public record TrainOptions(int steps, ExecutorOptions executor, long dataSeed, Optional<Path> checkpointDir,
                           Optional<Path> resumeDir, boolean warmUp) {
    public TrainOptions {
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        }
        checkpointDir = checkpointDir == null ? Optional.empty() : checkpointDir;
        resumeDir = resumeDir == null ? Optional.empty() : resumeDir;
    }

    /** A run without warm-up steps. */
    public TrainOptions(int steps, ExecutorOptions executor, long dataSeed, Optional<Path> checkpointDir, Optional<Path> resumeDir) {
        this(steps, executor, dataSeed, checkpointDir, resumeDir, false);
    }

    /** This run with or without warm-up steps. */
    public TrainOptions withWarmUp(boolean on) {
        return new TrainOptions(steps, executor, dataSeed, checkpointDir, resumeDir, on);
    }
}
