package org.modelpar.executor.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.modelpar.executor.ComputeThreads;
import org.modelpar.executor.Executor;
import org.modelpar.executor.StepResult;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.program.StepProgram;

/**
 * The training loop: runs the step program once per step on the synthetic task's batch of that step,
 * reports each step, and checkpoints after every step when asked; with {@link TrainOptions#warmUp} warm-up steps
 * of a throwaway executor come first ({@link WarmUp}). A resumed run restores parameters and
 * optimizer state and continues with the data of the next step, so it ends where an uninterrupted run would.
 * The checkpoint folder is locked for the run ({@link CheckpointLock}); a NaN or infinite loss stops it
 * ({@link DivergedException}).
 */
public final class Trainer {
    private Trainer() {
    }

    /**
     * Trains.
     *
     * @param onStep called after every step (e.g. to print the loss)
     * @throws CheckpointException when the resume checkpoint is unusable or already at {@code options.steps()},
     *                             or the checkpoint folder is in use
     * @throws DivergedException   when a step's loss is NaN or infinite
     * @throws org.modelpar.executor.ExecutionException when a device fails
     */
    public static TrainResult train(ComputationGraph graph, StepProgram program, TrainOptions options,
                                    Consumer<StepResult> onStep) {
        return train(graph, program, options, (r, threads) -> onStep.accept(r));
    }

    /**
     * {@link #train(ComputationGraph, StepProgram, TrainOptions, Consumer)}, calling {@code afterStep} after every step
     * with the devices' compute threads, on which it may run work of its own before the next step begins.
     */
    public static TrainResult train(ComputationGraph graph, StepProgram program, TrainOptions options,
                                    BiConsumer<StepResult, ComputeThreads> afterStep) {
        SyntheticTask task = SyntheticTask.forGraph(graph, options.dataSeed());
        int batch = program.plan().globalBatchSize();
        List<Double> warmUp = List.of();
        if (options.warmUp()) {
            try (Executor warm = Executor.create(graph, program, options.executor())) {
                warmUp = WarmUp.run(warm, task, batch, WarmUp::done).stream().map(WarmUp.Step::seconds).toList();
            }
        }
        try (CheckpointLock lock = options.checkpointDir().map(CheckpointLock::acquire).orElse(null);
             Executor executor = Executor.create(graph, program, options.executor())) {
            if (options.resumeDir().isPresent()) {
                restore(executor, options.resumeDir().get(), graph, program);
            }
            int first = executor.stepsDone();
            if (options.resumeDir().isPresent()) {
                requireStepsLeft(options.resumeDir().get(), first, options.steps());
            }
            List<Double> losses = new ArrayList<>();
            List<Double> seconds = new ArrayList<>();
            for (int step = first; step < options.steps(); step++) {
                StepResult r = executor.step(task.batch(step, batch));
                DivergedException.requireFinite(r.step(), r.loss(), options.executor().learningRate());
                losses.add(r.loss());
                seconds.add(r.seconds());
                afterStep.accept(r, executor.computeThreads());
                if (options.checkpointDir().isPresent()) {
                    new Checkpoint(graph.name(), Checkpoint.planHash(program.plan()), executor.stepsDone(),
                            executor.parameters(), executor.optimizerState())
                            .write(options.checkpointDir().get());
                }
            }
            return new TrainResult(first, losses, seconds, executor.peakMemoryBytes(), executor.timeline(),
                    executor.parameters(), warmUp);
        }
    }

    /**
     * Refuses to resume from the checkpoint in {@code resumeDir}, {@code stepsDone} steps in, a run that ends at step
     * {@code steps} when that leaves nothing to train (threads and worker processes alike, before any step runs).
     *
     * @throws CheckpointException naming the checkpoint, its step and the run's
     */
    public static void requireStepsLeft(java.nio.file.Path resumeDir, int stepsDone, int steps) {
        if (stepsDone >= steps) {
            throw new CheckpointException(resumeDir.resolve(Checkpoint.FILE) + ": the checkpoint is at step " + stepsDone
                    + ", so a run ending at step " + steps + " has nothing to train; ask for more than " + stepsDone + " steps");
        }
    }

    /** Restores the executor's devices from the checkpoint in {@code dir}, refusing one of another model or plan. */
    public static void restore(Executor executor, java.nio.file.Path dir, ComputationGraph graph, StepProgram program) {
        Checkpoint c = Checkpoint.readFor(dir, graph.name(), program.plan());
        try {
            executor.restore(c.parameters(), c.optimizerState(), c.stepsDone());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(dir.resolve(Checkpoint.FILE) + ": " + e.getMessage(), e);
        }
    }
}
