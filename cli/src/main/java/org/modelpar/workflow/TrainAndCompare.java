package org.modelpar.workflow;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.profile.CalibrationPasses;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.train.Trainer;
import org.modelpar.executor.transport.CollectiveSamples;
import org.modelpar.executor.worker.ProcessTrainer;
import org.modelpar.executor.worker.Rendezvous;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.timeline.Comparison;
import org.modelpar.simulator.timeline.SteadyStep;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Trains a plan on local workers and compares the measurement with the plan simulated from this machine's
 * timed kernels ({@link CalibratedPrediction}): what {@code modelpar train} and
 * {@code modelpar run} do after planning.
 */
public final class TrainAndCompare {
    /** Instructions listed as the largest disagreements. */
    private static final int WORST_INSTRUCTIONS = 5;

    private TrainAndCompare() {
    }

    /** The learning rate a run uses unless told otherwise: 0.003 for Adam, 0.05 for SGD. */
    public static double defaultLearningRate(OptimizerKind optimizer) {
        return optimizer == OptimizerKind.ADAM ? 3e-3 : 0.05;
    }

    /**
     * How to train.
     *
     * @param steps         the step the run ends at (a resumed run continues up to it)
     * @param seed          seed of weights and data
     * @param learningRate  optimizer learning rate
     * @param checkpointDir where a checkpoint is written after every step, if anywhere
     * @param resume        the checkpoint folder to continue from, if any
     * @param workerCommand the command line of a worker process to run one local process per device
     *                      (gRPC on loopback), or empty for worker threads of this process
     * @param warmUp        whether warm-up steps run first, until the JIT is quiet and the steps no longer get faster
     *                      ({@link org.modelpar.executor.train.WarmUp}): the measured steps are then warm, as the
     *                      prediction's timed kernels are
     */
    public record Settings(int steps, long seed, double learningRate, Optional<Path> checkpointDir, Optional<Path> resume,
                           Optional<List<String>> workerCommand, boolean warmUp) {
        public Settings {
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new WorkflowException("learning rate must be positive, got " + learningRate);
            }
            workerCommand = workerCommand.map(List::copyOf);
        }

        /** A fresh run without checkpoints, on worker threads. */
        public static Settings of(int steps, long seed, double learningRate) {
            return new Settings(steps, seed, learningRate, Optional.empty(), Optional.empty(), Optional.empty(), false);
        }

        /** These settings with or without warm-up steps. */
        public Settings withWarmUp(boolean on) {
            return new Settings(steps, seed, learningRate, checkpointDir, resume, workerCommand, on);
        }

        /** The executor's training options for {@code cluster} (each device's memory budget from its profile). */
        TrainOptions options(ClusterSpec cluster) {
            try {
                return new TrainOptions(steps, LocalTraining.options(cluster, seed, learningRate), seed, checkpointDir, resume, warmUp);
            } catch (IllegalArgumentException e) {
                throw new WorkflowException(e.getMessage());
            }
        }
    }

    /**
     * A finished run and its comparison with the calibrated prediction.
     *
     * @param result       losses, measured step time, memory peaks and the measured trace
     * @param comparison   predicted vs measured step time, memory and instructions (the median steady step)
     * @param program      the step program that was executed
     * @param hostCapacity the shared host's capacity left to the workers during the run, if they share one
     * @param backgroundCores the cores its steady steps kept busy outside the devices' threads and the transport
     * @param transportCpuSecondsPerByte the CPU seconds each byte moved between its worker processes cost their
     *                                   transports (0 for worker threads)
     * @param link         the link between its workers measured during the run, if they share a host
     * @param ringSteps    the ring steps of its collectives in the second half, timed (what the prediction's ring
     *                     steps wait)
     * @param predicted    the calibrated prediction's simulated step
     */
    public record Outcome(TrainResult result, Comparison comparison, StepProgram program, OptionalDouble hostCapacity,
                          double backgroundCores, double transportCpuSecondsPerByte, Optional<LinkProfile> link, CollectiveSamples ringSteps, Timeline predicted) {
        /** The measured trace as Chrome trace JSON of {@code graph}'s plan ({@link TraceFiles}). */
        public String traceJson(ComputationGraph graph) {
            return TraceFiles.json(result.timeline(), graph, program.plan());
        }

        /** The calibrated prediction's step as Chrome trace JSON, to open beside {@link #traceJson} in Perfetto. */
        public String predictedTraceJson(ComputationGraph graph) {
            return TraceFiles.json(predicted, graph, program.plan());
        }
    }

    /**
     * Trains {@code plan} and compares.
     *
     * @param onStep called after every step (e.g. to print the loss)
     * @throws org.modelpar.executor.ExecutionException when a device fails (with worker processes: a worker
     *                                                  process dies, naming its rank)
     * @throws WorkflowException when the settings are out of range, or the plan needs more memory than this
     *                           process may allocate ({@link MachineMemory}), before anything is allocated
     * @throws org.modelpar.executor.train.CheckpointException when the resume checkpoint does not fit the plan
     */
    public static Outcome run(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, Settings settings,
                              Consumer<StepResult> onStep) {
        TrainOptions options = settings.options(cluster);
        MachineMemory.requireTrainable(graph, cluster, plan, settings.workerCommand().isPresent(), MachineMemory.availableBytes());
        StepProgram program = Lowering.lower(graph, cluster, plan);
        CalibratedPrediction calibration =
                new CalibratedPrediction(graph, cluster, plan, settings.seed(), settings.steps(),
                        settings.workerCommand().isPresent());
        // the calibration's passes are timed where the devices' kernels run: on their threads, or in their processes
        TrainResult result = settings.workerCommand().isPresent()
                ? ProcessTrainer.train(graph, cluster, program, options, settings.workerCommand().get(),
                        (r, passes) -> {
                            calibration.afterStep(r, passes);
                            onStep.accept(r);
                        })
                : Trainer.train(graph, program, options, (r, threads) -> {
                    calibration.afterStep(r, threads);
                    onStep.accept(r);
                });
        int medianStep = result.firstStep() + result.medianStepPosition();
        // worker processes exchange messages over their transport on loopback, priced by the profile's process link
        ClusterSpec priced = settings.workerCommand().isPresent() ? cluster.asWorkerProcesses() : cluster;
        CalibratedPrediction.Prediction predicted = calibration.predict(graph, priced, plan, result);
        Comparison comparison = Comparison.of(predicted.side(),
                new Comparison.Side(result.timeline().step(medianStep), result.measuredStepSeconds(), result.peakMemoryBytes()),
                WORST_INSTRUCTIONS);
        return new Outcome(result, comparison, program, predicted.hostCapacity(), calibration.backgroundCores(),
                calibration.transportCpuSecondsPerByte(), calibration.link(),
                calibration.ringSteps(), predicted.side().timeline());
    }

    /**
     * Rank 0 of a job whose worker processes a launcher started (Slurm, Kubernetes): serves the rendezvous,
     * trains its own device in this process and returns the run's result; {@code settings.workerCommand()}
     * is not used (the launcher started the workers).
     */
    public static TrainResult coordinate(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, Settings settings,
                                         Rendezvous rendezvous, String advertiseHost, Consumer<StepResult> onStep) {
        return ProcessTrainer.coordinate(graph, cluster, Lowering.lower(graph, cluster, plan), settings.options(cluster),
                rendezvous, advertiseHost, onStep);
    }
}
