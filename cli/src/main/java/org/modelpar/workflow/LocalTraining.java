package org.modelpar.workflow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.KernelWorkspace;
import org.modelpar.executor.PlanSupport;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.profile.BackgroundCpu;
import org.modelpar.executor.profile.Calibration;
import org.modelpar.executor.profile.LinkSamples;
import org.modelpar.executor.profile.SendTimes;
import org.modelpar.executor.profile.StepOverhead;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.transport.CollectiveSamples;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.NodeLinks;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.timeline.Comparison;
import org.modelpar.simulator.timeline.SteadyStep;
import org.modelpar.solver.PlanRequest;
import org.modelpar.solver.RuntimeCheck;

/** What training a plan on local workers needs: executor options and the calibrated prediction it is compared with. */
public final class LocalTraining {
    /** Least number of timed kernel passes of the calibrated prediction. */
    private static final int CALIBRATION_REPETITIONS = 9;

    private LocalTraining() {
    }

    /**
     * The precision a plan gets when none is asked for: fp32 on local workers, bf16 elsewhere. ND4J's CPU kernels run
     * 16-bit types many times slower than fp32 (the small gpt's bf16 tensor-parallel step took 1.1-1.2 s against 40 ms
     * in fp32 on the 2-core machine), so a local plan trains in fp32 unless told otherwise.
     */
    public static Precision defaultPrecision(ClusterSpec cluster) {
        return cluster.localWorkers() ? Precision.FP32 : Precision.BF16;
    }

    /**
     * The cluster a plan for {@code cluster} is priced on: this machine's workers as {@code train} starts them by default,
     * one worker process each, talking over the link measured between processes ({@link ClusterSpec#asWorkerProcesses};
     * its latency is ten times the threads'); another cluster unchanged. Priced over the threads' link, the mlp's ZeRO-3
     * plan on two workers (then gathering each parameter tensor in a ring of its own) came out 1% ahead of ZeRO 0 and
     * trained 40% slower.
     */
    public static ClusterSpec plannedCluster(ClusterSpec cluster) {
        return cluster.localWorkers() ? cluster.asWorkerProcesses() : cluster;
    }

    /**
     * The search restricted to plans the executor trains: on local workers, the schedules, ZeRO stages and expert
     * degrees {@link PlanSupport} accepts ({@link PlanRequest#forRuntime}, {@link #executorCheck}), and tensor degree 1
     * unless the executor splits the graph over every tensor degree the search may try
     * ({@link PlanSupport#runsTensorDegree}); a fixed
     * degree is kept; sequence parallelism off when a degree it may try does not divide the sequence
     * ({@link PlanSupport#runsSequenceParallel}); another cluster passes unchanged.
     */
    public static PlanRequest executable(ComputationGraph graph, ClusterSpec cluster, PlanRequest plain) {
        if (!cluster.localWorkers()) {
            return plain;
        }
        PlanRequest request = plain.forRuntime(executorCheck(graph));
        int nodeSize = cluster.nodes().values().stream().mapToInt(List::size).min().orElse(1);
        List<Integer> degrees = request.tensor().isPresent() ? List.of(request.tensor().getAsInt())
                : IntStream.iterate(2, t -> t <= nodeSize, t -> t * 2).boxed().toList();
        if (request.sequenceParallel().isEmpty() && degrees.stream().anyMatch(t -> t > 1
                && PlanSupport.runsTensorDegree(graph, t) && !PlanSupport.runsSequenceParallel(graph, t))) {
            request = request.withPlanOptions(Optional.of(false), request.overlapGradientReduce());
        }
        if (request.tensor().isEmpty() && degrees.stream().anyMatch(t -> !PlanSupport.runsTensorDegree(graph, t))) {
            return request.withDegrees(request.pipeline(), OptionalInt.of(1), request.data(), request.microBatches());
        }
        return request;
    }

    /**
     * The executor's answer ({@link PlanSupport#check}) for a setting: the whole graph on one stage of e replicas with
     * that schedule and those plan options, so only the setting can be refused; answers are kept per setting.
     */
    static RuntimeCheck executorCheck(ComputationGraph graph) {
        Map<List<Object>, Optional<String>> answers = new ConcurrentHashMap<>();
        List<String> ops = graph.ops().stream().map(OpNode::id).toList();
        return (schedule, options) -> answers.computeIfAbsent(List.of(schedule, options), k -> {
            int e = options.expertParallel();
            List<String> devices = IntStream.range(0, e).mapToObj(i -> "probe" + i).toList();
            PlacementPlan probe = new PlacementPlan(graph.name(), "", "", "", Precision.FP32, OptimizerKind.ADAM, e, e, 1,
                    schedule, 1, List.of(new Stage(0, devices, ops, Recompute.NONE)), options);
            try {
                PlanSupport.check(graph, probe);
                return Optional.empty();
            } catch (PlanException | GraphException refused) {
                return Optional.of(refused.getMessage());
            }
        });
    }

    /** Executor options whose memory budget per device is that device's capacity in the cluster. */
    public static ExecutorOptions options(ClusterSpec cluster, long seed, double learningRate) {
        Map<String, Long> budgets = new LinkedHashMap<>();
        for (ClusterDevice d : cluster.devices()) {
            budgets.put(d.id(), d.profile().memoryBytes());
        }
        return ExecutorOptions.defaults(seed, learningRate).withMemoryBudgets(budgets, Long.MAX_VALUE);
    }

    /**
     * The prediction a measurement is compared with: the plan simulated with op times measured by timing
     * the executor's own kernels on this machine (the roofline from the profile alone misses the fixed
     * cost of each small kernel call). Its timed passes are taken between the steps of the measured second
     * half of the run ({@link #afterStep}), so on a machine whose speed drifts both see the same conditions; so are
     * the host's compute capacity and the link between its workers ({@link LinkSamples}).
     */
    public static final class CalibratedPrediction {
        /**
         * The link is measured every this many sampled steps; the host capacity after every one: on a shared
         * machine it drifts from minute to minute (estimates of four rounds of the small gpt on two threads read
         * 1.28-1.89 within a minute), so its rounds follow the measured steps as closely as the kernels' passes do.
         */
        private static final int LINK_EVERY = 5;
        /**
         * The most steady steps sampled: a long run samples every k-th, evenly spread, so its calibration takes as long
         * as a 60-step run's (a 1,500-step run of the mlp on two processes spent 45 s calibrating after every one).
         */
        static final int MOST_SAMPLES = 30;
        private final Calibration calibration;
        private final LinkSamples link;
        /** The steps before the run's steady ones, which are not sampled. */
        private final int unsteady;
        /** Every how many steady steps the kernels, the host and the link are sampled. */
        private final int sampleEvery;
        private int sampled;
        private final int sharedWorkers;
        private int done;
        private final List<CollectiveSamples> ringSteps = new ArrayList<>();
        private final BackgroundCpu background = new BackgroundCpu();

        /** @param workerProcesses whether the workers run as processes (their link: gRPC on loopback) */
        public CalibratedPrediction(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, long seed, int steps,
                                    boolean workerProcesses) {
            this.calibration = new Calibration(graph, plan, seed);
            this.unsteady = SteadyStep.firstSteady(steps);
            this.sampleEvery = sampleEvery(steps - unsteady);
            this.sharedWorkers = (int) plan.stages().stream().flatMap(s -> s.devices().stream()).distinct()
                    .filter(d -> cluster.device(d).map(cd -> cluster.computeCapacity().containsKey(cd.node())).orElse(false))
                    .count();
            this.link = new LinkSamples(workerProcesses, Math.max(0, sharedWorkers - 1));
        }

        /**
         * Called after each training step: keeps the ring steps the collectives of each steady step ({@link SteadyStep})
         * ran ({@link CollectiveSamples}), which price the simulation's ring steps, and the step's background work; samples
         * the kernels (and the host and link, where workers share one) after every {@link #sampleEvery(int)}-th.
         */
        public void afterStep(StepResult step) {
            if (++done <= unsteady) {
                return;
            }
            ringSteps.add(step.ringSteps());
            background.add(step);
            if ((done - unsteady - 1) % sampleEvery != 0) {
                return;
            }
            calibration.sample();
            if (sharedWorkers > 1) {
                calibration.sampleHost(sharedWorkers);
                if (sampled % LINK_EVERY == 0) {
                    link.sample();
                }
            }
            sampled++;
        }

        /** Every how many of {@code steadySteps} steps are sampled: every one, up to {@link #MOST_SAMPLES} of them. */
        static int sampleEvery(int steadySteps) {
            return Math.max(1, (steadySteps + MOST_SAMPLES - 1) / MOST_SAMPLES);
        }

        /**
         * The host capacity left to the workers during the run, if its devices share a host: measured between steps
         * with compute threads alone, less the share of the cores the run's background work took ({@link BackgroundCpu}).
         */
        public java.util.OptionalDouble hostCapacity() {
            java.util.OptionalDouble measured = calibration.hostCapacity();
            return measured.isEmpty() ? measured : java.util.OptionalDouble.of(BackgroundCpu.capacity(measured.getAsDouble(),
                    background.cores(), Runtime.getRuntime().availableProcessors()));
        }

        /** The cores the run's steady steps kept busy outside the devices' threads (median). */
        public double backgroundCores() {
            return background.cores();
        }

        /**
         * The ring steps the collectives of the run's second half ran, timed, at its median step's mean ring step
         * ({@link CollectiveSamples#ofMedianStep}; none without collectives).
         */
        public CollectiveSamples ringSteps() {
            return CollectiveSamples.ofMedianStep(ringSteps);
        }

        /**
         * The ring steps that price the simulation's: the run's own ({@code measured}), unless the host's busy workers
         * outnumber its cores. There a ring step waits mostly for a member the scheduler has descheduled to run another
         * worker, which the simulation already charges as that worker's share of the host (each of k busy devices computes
         * at {@code C / k}), so the measured waits would count the host's sharing twice; the link measured during the run
         * prices them instead ({@link CollectiveSamples#NONE}). Pipeline 2 x tensor 2 of the small gpt on four threads of
         * the 2-core machine: its ring steps waited 0.34-0.49 ms against 9-19 us of the link, and the prediction ran each
         * stage's tensor collectives while no device computed, 1.27-1.31 of the measured step; with the link's, 0.81-1.34
         * in eight runs (median 0.91).
         */
        static CollectiveSamples pricedRingSteps(CollectiveSamples measured, int sharedWorkers, int cores) {
            return sharedWorkers > cores ? CollectiveSamples.NONE : measured;
        }

        /** The link between the workers measured during the run, if they share a host. */
        public Optional<LinkProfile> link() {
            return sharedWorkers > 1 ? link.link() : Optional.empty();
        }

        /**
         * Tops up to the minimum number of samples and simulates the plan with the calibrated costs, with
         * the host capacity and the link between workers measured during the run in place of the profile's (a shared
         * host's speed drifts), ring collectives' steps priced by the run's own ({@link #afterStep}), and with the op
         * workspaces that this executor's kernels take ({@link KernelWorkspace}), each send holding its worker as long as
         * that worker's sends of {@code measured}'s steady steps did ({@link SendTimes}, {@link SteadyStep}); the predicted step adds
         * what those steps took beyond their instructions ({@link StepOverhead}).
         */
        public Comparison.Side predictedSide(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, TrainResult measured) {
            Comparison.Side simulated = simulate(graph, cluster, plan, measured).predictedSide();
            return new Comparison.Side(simulated.timeline(), simulated.stepSeconds() + StepOverhead.seconds(measured),
                    simulated.peakMemoryBytes());
        }

        private SimulationReport simulate(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, TrainResult measured) {
            int steady = measured.firstStep() + SteadyStep.firstSteady(measured.losses().size());
            Map<String, Double> senderSeconds = SendTimes.meanSecondsByDevice(measured.timeline(), steady);
            while (calibration.samples() < CALIBRATION_REPETITIONS) {
                calibration.sample();
            }
            ClusterSpec now = cluster;
            if (hostCapacity().isPresent()) {
                double c = hostCapacity().getAsDouble();
                Map<String, Double> capacity = new LinkedHashMap<>();
                Map<String, NodeLinks> links = new LinkedHashMap<>(cluster.nodeLinks());
                cluster.computeCapacity().keySet().forEach(node -> {
                    capacity.put(node, Math.min(c, cluster.nodes().get(node).size()));
                    link.link().ifPresent(l -> links.put(node, new NodeLinks(l, cluster.linksOf(node).interNode())));
                });
                now = new ClusterSpec(cluster.name(), cluster.devices(), cluster.intraNode(), cluster.interNode(), links,
                        capacity, cluster.hosts(), cluster.processLinks());
            }
            return Simulator.simulate(KernelWorkspace.measure(graph, plan), now, plan, SimulationOptions.defaults().withTrace(true)
                    .withCostModel(calibration.costModel().withRingSteps(pricedRingSteps(ringSteps(), sharedWorkers,
                            Runtime.getRuntime().availableProcessors())).withSenderSeconds(senderSeconds)));
        }
    }
}
