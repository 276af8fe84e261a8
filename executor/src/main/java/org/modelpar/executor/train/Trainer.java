package org.modelpar.executor.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.modelpar.executor.Executor;
import org.modelpar.executor.StepResult;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.program.StepProgram;

/**
 * The training loop: runs the step program once per step on the synthetic task's batch of that step,
 * reports each step, and checkpoints after every step when asked. A resumed run restores parameters and
 * optimizer state and continues with the data of the next step, so it ends where an uninterrupted run would.
 */
public final class Trainer {
    private Trainer() {
    }

    /**
     * Trains.
     *
     * @param onStep called after every step (e.g. to print the loss)
     * @throws CheckpointException when the resume checkpoint is unusable
     * @throws org.modelpar.executor.ExecutionException when a device fails
     */
    public static TrainResult train(ComputationGraph graph, StepProgram program, TrainOptions options,
                                    Consumer<StepResult> onStep) {
        SyntheticTask task = SyntheticTask.forGraph(graph, options.dataSeed());
        int batch = program.plan().globalBatchSize();
        try (Executor executor = Executor.create(graph, program, options.executor())) {
            if (options.resumeDir().isPresent()) {
                Checkpoint c = Checkpoint.read(options.resumeDir().get());
                if (!c.model().equals(graph.name())) {
                    throw new CheckpointException(options.resumeDir().get().resolve(Checkpoint.FILE)
                            + ": checkpoint is of model '" + c.model() + "', not '" + graph.name() + "'");
                }
                try {
                    executor.restore(c.parameters(), c.optimizerState(), c.stepsDone());
                } catch (IllegalArgumentException e) {
                    throw new CheckpointException(options.resumeDir().get().resolve(Checkpoint.FILE) + ": " + e.getMessage(), e);
                }
            }
            int first = executor.stepsDone();
            List<Double> losses = new ArrayList<>();
            List<Double> seconds = new ArrayList<>();
            for (int step = first; step < options.steps(); step++) {
                StepResult r = executor.step(task.batch(step, batch));
                losses.add(r.loss());
                seconds.add(r.seconds());
                onStep.accept(r);
                if (options.checkpointDir().isPresent()) {
                    new Checkpoint(graph.name(), executor.stepsDone(), executor.parameters(), executor.optimizerState())
                            .write(options.checkpointDir().get());
                }
            }
            return new TrainResult(first, losses, seconds, executor.peakMemoryBytes(), executor.timeline(),
                    executor.parameters());
        }
    }
}
