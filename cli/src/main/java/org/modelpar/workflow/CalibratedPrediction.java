package org.modelpar.workflow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.modelpar.executor.ComputeThreads;
import org.modelpar.executor.KernelWorkspace;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.profile.BackgroundCpu;
import org.modelpar.executor.profile.CalibratedCostModel;
import org.modelpar.executor.profile.Calibration;
import org.modelpar.executor.profile.CalibrationPasses;
import org.modelpar.executor.profile.LinkSamples;
import org.modelpar.executor.profile.SendTimes;
import org.modelpar.executor.profile.StartTimes;
import org.modelpar.executor.profile.StepOverhead;
import org.modelpar.executor.profile.TransportCpu;
import org.modelpar.executor.profile.WakeTimes;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.transport.CollectiveSamples;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.NodeLinks;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.timeline.Comparison;
import org.modelpar.simulator.timeline.SteadyStep;
import org.modelpar.simulator.timeline.Timeline;

/**
 * The prediction a measurement is compared with: the plan simulated with op times measured by timing
 * the executor's own kernels on this machine (the roofline from the profile alone misses the fixed
 * cost of each small kernel call). Its timed passes are taken between the steps of the measured second
 * half of the run ({@link #afterStep}), so on a machine whose speed drifts both see the same conditions; so are
 * the host's compute capacity and the link between its workers ({@link LinkSamples}).
 */
public final class CalibratedPrediction {
    /** Least number of timed kernel passes. */
    private static final int CALIBRATION_REPETITIONS = 9;
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
    /** The plan's devices on hosts that share their cores ({@link ClusterSpec#computeCapacity}). */
    private final Set<String> sharedDevices;
    /** The cores of this machine, which the shared host's workers share. */
    private final int cores = Runtime.getRuntime().availableProcessors();
    private int done;
    private final List<CollectiveSamples> ringSteps = new ArrayList<>();
    private final BackgroundCpu background = new BackgroundCpu();
    private final TransportCpu transport = new TransportCpu();

    /**
     * A prediction of {@code plan}'s run of {@code steps} steps; where its workers share a host, the host's sampler is warmed
     * up now, before the run's steps ({@link Calibration#warmHost}).
     *
     * @param workerProcesses whether the workers run as processes (their link: gRPC on loopback)
     */
    public CalibratedPrediction(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, long seed, int steps,
                                boolean workerProcesses) {
        this.calibration = new Calibration(graph, plan, seed);
        this.unsteady = SteadyStep.firstSteady(steps);
        this.sampleEvery = sampleEvery(steps - unsteady);
        this.sharedDevices = plan.stages().stream().flatMap(s -> s.devices().stream())
                .filter(d -> cluster.device(d).map(cd -> cluster.computeCapacity().containsKey(cd.node())).orElse(false))
                .collect(Collectors.toCollection(TreeSet::new));
        this.link = new LinkSamples(workerProcesses, Math.max(0, sharedDevices.size() - 1));
        if (sharesHost()) {
            calibration.warmHost(sharedDevices.size());
        }
    }

    /** Whether two or more of the plan's devices share a host's cores: only then are the host and their link sampled. */
    private boolean sharesHost() {
        return sharedDevices.size() > 1;
    }

    /**
     * Called after each training step of worker threads: as {@link #afterStep(StepResult, CalibrationPasses)}, the
     * kernels' passes timed on the devices' compute {@code threads} in turn.
     */
    public void afterStep(StepResult step, ComputeThreads threads) {
        afterStep(step, index -> threads.call(index, calibration::pass));
    }

    /**
     * Called after each training step: keeps the ring steps the collectives of each steady step ({@link SteadyStep})
     * ran ({@link CollectiveSamples}), which price the simulation's ring steps, and the step's background work; samples
     * the kernels (and the host and link, where workers share one) after every {@link #sampleEvery(int)}-th, the
     * kernels' passes taken from the devices in turn ({@link CalibrationPasses}: on the threads their kernels run on,
     * in this process or in their worker processes; the cores of a virtual machine differ in speed from moment to
     * moment, and a thread keeps to its core).
     */
    public void afterStep(StepResult step, CalibrationPasses passes) {
        if (++done <= unsteady) {
            return;
        }
        ringSteps.add(step.ringSteps().critical());
        background.add(step);
        transport.add(step);
        if ((done - unsteady - 1) % sampleEvery != 0) {
            return;
        }
        calibration.add(passes.take(sampled));
        if (sharesHost()) {
            calibration.sampleHost(sharedDevices.size());
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

    /** The cores the run's steady steps kept busy outside the devices' threads and the transport (median). */
    public double backgroundCores() {
        return background.cores();
    }

    /** The CPU seconds a byte moved between the run's worker processes cost their transports ({@link TransportCpu}). */
    public double transportCpuSecondsPerByte() {
        return transport.secondsPerByte();
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
     * prices them instead, each step waking its member as the run's waiting members woke ({@link
     * CollectiveSamples#wakesOnly}, {@link CalibratedCostModel#ringStep}). Pipeline 2 x tensor 2 of the small gpt on four threads of the
     * 2-core machine: its ring steps waited 0.32-0.53 ms against 7-19 us of the link, and with those the prediction read
     * 1.27-1.31 of the measured step; with the link's alone 0.68-0.83 (s40), with the link's and the wake 0.82-0.91.
     */
    static CollectiveSamples pricedRingSteps(CollectiveSamples measured, boolean oversubscribed) {
        return oversubscribed ? measured.wakesOnly() : measured;
    }

    /**
     * Whether the shared host's workers outnumber its cores: what the run measured there varies by the sharing itself,
     * which the simulation charges as each busy worker's share of the host, so its ring steps
     * ({@link #pricedRingSteps}) and its durations' spread ({@link VaryingDurations#of}) would count it twice.
     */
    static boolean oversubscribed(int sharedWorkers, int cores) {
        return sharedWorkers > cores;
    }

    /** The link between the workers measured during the run, if they share a host. */
    public Optional<LinkProfile> link() {
        return sharesHost() ? link.link() : Optional.empty();
    }

    /**
     * The predicted step, and the host capacity it was simulated at where the workers share a host.
     *
     * @param side         the predicted step as the comparison shows it
     * @param hostCapacity the capacity left to the workers: measured with compute threads alone ({@link org.modelpar.executor.profile.HostSharing}
     *                     rounds between the steps), less the background cores that arrive while every core is busy
     */
    public record Prediction(Comparison.Side side, OptionalDouble hostCapacity) {
    }

    /**
     * Tops up to the minimum number of samples and simulates the plan with the calibrated costs, with
     * the host capacity and the link between workers measured during the run in place of the profile's (a shared
     * host's speed drifts), ring collectives' steps priced by the run's own ({@link #afterStep}), and with the op
     * workspaces that this executor's kernels take ({@link KernelWorkspace}), each send holding its worker as long as
     * that worker's sends of {@code measured}'s steady steps did ({@link SendTimes}, {@link SteadyStep}); the predicted
     * step adds what those steps took beyond their instructions ({@link StepOverhead}). The run's background work
     * ({@link BackgroundCpu}) runs on the cores the simulated step leaves idle; only its share arriving while every core
     * is busy lowers the capacity, and the plan is simulated again at what it leaves. Each simulated step is the median
     * of steps whose compute durations vary as the run's did ({@link VaryingDurations}).
     */
    public Prediction predict(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, TrainResult measured) {
        int steady = measured.firstStep() + SteadyStep.firstSteady(measured.losses().size());
        Map<String, Double> senderSeconds = SendTimes.meanSecondsByDevice(measured.timeline(), steady);
        while (calibration.samples() < CALIBRATION_REPETITIONS) {
            calibration.sample();
        }
        double overhead = StepOverhead.seconds(measured);
        OptionalDouble alone = calibration.hostCapacity();
        SimulationReport atAlone = simulate(graph, cluster, plan, alone, senderSeconds, measured.timeline(), steady);
        if (alone.isEmpty()) {
            return prediction(atAlone, overhead, alone);
        }
        Comparison.Side side = atAlone.predictedSide();
        double stepSeconds = side.stepSeconds() + overhead;
        double competing = BackgroundCpu.competingCores(background.cores(),
                BackgroundCpu.saturatedSeconds(side.timeline(), sharedDevices, cores), stepSeconds);
        if (competing == 0) {
            return prediction(atAlone, overhead, alone);
        }
        OptionalDouble left = OptionalDouble.of(BackgroundCpu.capacity(alone.getAsDouble(), competing, cores));
        return prediction(simulate(graph, cluster, plan, left, senderSeconds, measured.timeline(), steady), overhead, left);
    }

    private static Prediction prediction(SimulationReport simulated, double overheadSeconds, OptionalDouble hostCapacity) {
        Comparison.Side side = simulated.predictedSide();
        return new Prediction(new Comparison.Side(side.timeline(), side.stepSeconds() + overheadSeconds, side.peakMemoryBytes()),
                hostCapacity);
    }

    private SimulationReport simulate(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, OptionalDouble hostCapacity,
                                      Map<String, Double> senderSeconds, Timeline measured, int steady) {
        ClusterSpec now = hostCapacity.isPresent() ? atRunsHost(cluster, hostCapacity.getAsDouble()) : cluster;
        boolean oversubscribed = oversubscribed(sharedDevices.size(), cores);
        CalibratedCostModel cost = calibration.costModel().withRingSteps(pricedRingSteps(ringSteps(), oversubscribed))
                .withSenderSeconds(senderSeconds).withTransportCpu(transport.secondsPerByte());
        Map<String, Double> wakeSeconds = WakeTimes.medianStepSecondsByDevice(measured, steady,
                r -> cost.transferSeconds(now, ((Recv) r.instruction()).peer(), r.device(), r.bytes()));
        ComputationGraph withWorkspaces = KernelWorkspace.measure(graph, plan);
        CalibratedCostModel run = cost.withWakeSeconds(wakeSeconds);
        StartTimes starts = StartTimes.of(measured, steady, cores);
        // where durations vary, each simulated step begins as one of the run's did; else at the medians
        return VaryingDurations.medianStep(SimulationOptions.defaults().withTrace(true),
                VaryingDurations.of(measured, steady, oversubscribed),
                options -> Simulator.simulate(withWorkspaces, now, plan, options.withCostModel(run.withStartSeconds(
                        options.noise().varies() ? starts.ofStep(options.noise().seed()) : starts.medians()))));
    }

    /** {@code cluster} with each shared host at {@code capacity} (at most its workers) and the link measured in the run. */
    private ClusterSpec atRunsHost(ClusterSpec cluster, double capacity) {
        Map<String, Double> capacities = new LinkedHashMap<>();
        Map<String, NodeLinks> links = new LinkedHashMap<>(cluster.nodeLinks());
        cluster.computeCapacity().keySet().forEach(node -> {
            capacities.put(node, Math.min(capacity, cluster.nodes().get(node).size()));
            link.link().ifPresent(l -> links.put(node, new NodeLinks(l, cluster.linksOf(node).interNode())));
        });
        return new ClusterSpec(cluster.name(), cluster.devices(), cluster.intraNode(), cluster.interNode(), links,
                capacities, cluster.hosts(), cluster.processLinks());
    }
}
