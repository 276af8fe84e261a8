package org.modelpar.executor.profile;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.modelpar.executor.transport.CollectiveSamples;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.HostWork;
import org.modelpar.simulator.cost.OpWork;
import org.modelpar.simulator.cost.RingStep;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Precision;

/**
 * The simulator's cost model with op and optimizer times measured by running the executor's own kernels
 * on this machine ({@link Calibration}); links come from the cluster profile (roofline model), and with
 * {@link #withRingSteps} a ring collective's step waits what the run's own ring steps waited, with
 * {@link #withSenderSeconds} a send holds its worker as long as that worker's sends held it in the run, and with
 * {@link #withWakeSeconds} a worker that waited for a message resumes as long after it as it did in the run, and with
 * {@link #withHostRate} a collective's host work is priced at the calls and copies the calibration timed. An op
 * measured at n samples on a rank of a tensor-parallel group of t_m takes {@code t x samples / n x t_m / t} for
 * another sample count and tensor degree t (exactly its measured time at the measured ones), unless the rank ran the
 * whole op (work every rank repeats, {@code TensorSplit.replicatedWork}): then {@code t x samples / n / t}; an op not
 * measured falls back to the roofline. A device's optimizer step is its stage's as timed where it holds the stage's
 * parameters in as many tensors; a share of them (a tensor-parallel rank's, a ZeRO shard) is updated in every tensor
 * still, so it pays each tensor's fixed cost and its share of the cost per parameter, both told apart by timing the
 * stage's tensors whole and cut to half: priced per parameter alone, the small gpt's tensor-parallel rank stepped in
 * 1.16 ms predicted against 1.75-1.9 measured.
 */
public final class CalibratedCostModel implements CostModel {
    private final Map<String, double[]> opSeconds;
    private final int samples;
    private final int tensorParallel;
    private final Set<String> measuredWhole;
    private final List<StageOptimizer> optimizerSteps;
    private final RunTimes run;
    private final RooflineCostModel roofline = new RooflineCostModel();

    /**
     * @param opSeconds        per op id, {forward, backward} seconds at {@code samples} samples, and the backward's
     *                         weight-gradient part third where it was timed apart
     * @param samples          samples the ops were timed with
     * @param tensorParallel   the tensor-parallel degree of the rank the ops were timed on (1: whole ops)
     * @param measuredWhole    ids of the ops the rank ran whole (every rank repeats their work)
     * @param optimizerSteps   each stage's optimizer step as timed
     */
    public CalibratedCostModel(Map<String, double[]> opSeconds, int samples, int tensorParallel, Set<String> measuredWhole,
                               List<StageOptimizer> optimizerSteps) {
        this(opSeconds, samples, tensorParallel, measuredWhole, optimizerSteps, RunTimes.NONE);
    }

    /**
     * What a run measured beyond the ops ({@link #withRingSteps}, {@link #withSenderSeconds}, {@link #withWakeSeconds},
     * {@link #withHostRate}, {@link #withStartSeconds}, {@link #withTransportCpu}).
     */
    private record RunTimes(CollectiveSamples ringSteps, Map<String, Double> senderSeconds, Map<String, Double> wakeSeconds,
                            Optional<HostRate> host, Map<String, Double> startSeconds, double transportSecondsPerByte) {
        static final RunTimes NONE = new RunTimes(CollectiveSamples.NONE, Map.of(), Map.of(), Optional.empty(), Map.of(), 0);

        RunTimes {
            if (!senderSeconds.values().stream().allMatch(v -> v >= 0) || !wakeSeconds.values().stream().allMatch(v -> v >= 0)
                    || !startSeconds.values().stream().allMatch(v -> v >= 0) || !(transportSecondsPerByte >= 0)) {
                throw new IllegalArgumentException("sender, wake, start and transport seconds must be >= 0, got sender seconds "
                        + senderSeconds + ", wake seconds " + wakeSeconds + ", start seconds " + startSeconds
                        + ", transport seconds a byte " + transportSecondsPerByte);
            }
            senderSeconds = new TreeMap<>(senderSeconds);
            wakeSeconds = new TreeMap<>(wakeSeconds);
            startSeconds = new TreeMap<>(startSeconds);
        }
    }

    /**
     * A collective's host work as the calibration timed it ({@link HostCopies}): {@code callSeconds} a call and
     * {@code secondsPerByte} a byte moved.
     */
    public record HostRate(double callSeconds, double secondsPerByte) {
        public HostRate {
            if (!(callSeconds >= 0) || !(secondsPerByte >= 0)) {
                throw new IllegalArgumentException("a host rate needs seconds a call and a byte >= 0, got " + callSeconds
                        + " s a call, " + secondsPerByte + " s a byte");
            }
        }

        /** Seconds of {@code work}: its calls and its bytes at this rate. */
        public double seconds(HostWork work) {
            return work.kernelCalls() * callSeconds + work.bytesMoved() * secondsPerByte;
        }
    }

    /**
     * One stage's optimizer step as timed ({@link StageOptimizers}): its {@code parameters} in {@code tensors} tensors in
     * {@code seconds}, and the same tensors cut to {@code halfParameters} in {@code halfSeconds}.
     */
    public record StageOptimizer(long parameters, int tensors, double seconds, long halfParameters, double halfSeconds) {
        public StageOptimizer {
            if (parameters < 0 || tensors < 0 || halfParameters < 0 || halfParameters > parameters || !(seconds >= 0)
                    || !(halfSeconds >= 0)) {
                throw new IllegalArgumentException("optimizer step of " + parameters + " parameters in " + tensors
                        + " tensors timed at " + seconds + " s, " + halfParameters + " at " + halfSeconds + " s");
            }
        }

        /** Seconds per parameter: what the elements the halves left out took, at least 0. */
        double perParameter() {
            return parameters == halfParameters ? 0 : Math.max(0, (seconds - halfSeconds) / (parameters - halfParameters));
        }

        /** Seconds the tensors took beyond their parameters, at least 0. */
        double fixed() {
            return Math.max(0, seconds - parameters * perParameter());
        }
    }

    private CalibratedCostModel(Map<String, double[]> opSeconds, int samples, int tensorParallel, Set<String> measuredWhole,
                                List<StageOptimizer> optimizerSteps, RunTimes run) {
        if (samples < 1 || tensorParallel < 1) {
            throw new IllegalArgumentException("calibrated op times need samples and tensor degree >= 1, got samples "
                    + samples + ", tensor degree " + tensorParallel);
        }
        this.opSeconds = new TreeMap<>();
        opSeconds.forEach((k, v) -> this.opSeconds.put(k, v.clone()));
        this.samples = samples;
        this.tensorParallel = tensorParallel;
        this.measuredWhole = Set.copyOf(measuredWhole);
        this.optimizerSteps = List.copyOf(optimizerSteps);
        this.run = run;
    }

    /**
     * This model with every ring collective's step latency taken from {@code ringSteps}, the steps a run's collectives
     * ran ({@link CollectiveSamples#latencySeconds}, net of each chunk's bytes at the ring's bandwidth), instead of
     * the link's per-message latency; without samples, the link's.
     */
    public CalibratedCostModel withRingSteps(CollectiveSamples ringSteps) {
        return with(new RunTimes(ringSteps, run.senderSeconds(), run.wakeSeconds(), run.host(), run.startSeconds(),
                run.transportSecondsPerByte()));
    }

    /**
     * This model with every send of a device holding it for {@code senderSeconds} of that device, what the run's sends
     * held it ({@link SendTimes}); 0 (the default, and for a device not given) for sends beside the compute.
     */
    public CalibratedCostModel withSenderSeconds(Map<String, Double> senderSeconds) {
        return with(new RunTimes(run.ringSteps(), senderSeconds, run.wakeSeconds(), run.host(), run.startSeconds(),
                run.transportSecondsPerByte()));
    }

    /**
     * This model with a device that waited for a message resuming {@code wakeSeconds} of that device after its transfer,
     * what the run's waits took beyond it ({@link WakeTimes}); 0 (the default, and for a device not given) at once.
     */
    public CalibratedCostModel withWakeSeconds(Map<String, Double> wakeSeconds) {
        return with(new RunTimes(run.ringSteps(), run.senderSeconds(), wakeSeconds, run.host(), run.startSeconds(),
                run.transportSecondsPerByte()));
    }

    /**
     * This model with a collective's host work priced at {@code rate} ({@link HostCopies}: the executor's view and copy,
     * timed in the run's calibration) instead of the device profile's call and copy rate.
     */
    public CalibratedCostModel withHostRate(HostRate rate) {
        return with(new RunTimes(run.ringSteps(), run.senderSeconds(), run.wakeSeconds(), Optional.of(rate), run.startSeconds(),
                run.transportSecondsPerByte()));
    }

    /**
     * This model with each device beginning the step {@code startSeconds} of that device after the first, when the run's
     * workers began theirs ({@link StartTimes}); 0 (the default, and for a device not given) at once.
     */
    public CalibratedCostModel withStartSeconds(Map<String, Double> startSeconds) {
        return with(new RunTimes(run.ringSteps(), run.senderSeconds(), run.wakeSeconds(), run.host(), startSeconds,
                run.transportSecondsPerByte()));
    }

    /**
     * This model with each message between worker processes costing its sender's and its receiver's host {@code
     * secondsPerByte} of CPU while it travels, what the run's event loops spent ({@link TransportCpu}); 0 (the default)
     * for workers of one process.
     */
    public CalibratedCostModel withTransportCpu(double secondsPerByte) {
        return with(new RunTimes(run.ringSteps(), run.senderSeconds(), run.wakeSeconds(), run.host(), run.startSeconds(),
                secondsPerByte));
    }

    private CalibratedCostModel with(RunTimes times) {
        return new CalibratedCostModel(opSeconds, samples, tensorParallel, measuredWhole, optimizerSteps, times);
    }

    @Override
    public double hostSeconds(DeviceProfile device, HostWork work) {
        return run.host().map(rate -> rate.seconds(work)).orElseGet(() -> CostModel.super.hostSeconds(device, work));
    }

    @Override
    public double transportCpuSeconds(double bytes) {
        return run.transportSecondsPerByte() * bytes;
    }

    @Override
    public double startSeconds(ClusterSpec cluster, String device) {
        return run.startSeconds().getOrDefault(device, 0.0);
    }

    @Override
    public double senderSeconds(ClusterSpec cluster, String fromDevice, String toDevice, long bytes) {
        return run.senderSeconds().getOrDefault(fromDevice, 0.0);
    }

    @Override
    public double wakeSeconds(ClusterSpec cluster, String toDevice, String fromDevice, long bytes) {
        return run.wakeSeconds().getOrDefault(toDevice, 0.0);
    }

    /**
     * The link's ring steps, each waiting the measured step latency when there is one ({@link #withRingSteps}); without,
     * the link's latency and a wake: each step waits for its predecessor's chunk, and the chunk wakes it. The wake is
     * the run's ring steps' ({@link CollectiveSamples#wakeSeconds}) where they measured one, else the mean wake of the
     * group's members that have one from their messages ({@link #withWakeSeconds}).
     */
    @Override
    public RingStep ringStep(ClusterSpec cluster, List<String> group, double bytes, int passes, int collectives) {
        RingStep link = CostModel.super.ringStep(cluster, group, bytes, passes, collectives);
        if (link.steps() == 0) {
            return link;
        }
        double bandwidth = link.bandwidthBytesPerSecond();
        double latency = run.ringSteps().latencySeconds(bandwidth).orElseGet(() -> link.latencySeconds()
                + run.ringSteps().wakeSeconds(bandwidth).orElseGet(() -> group.stream().filter(run.wakeSeconds()::containsKey)
                        .mapToDouble(run.wakeSeconds()::get).average().orElse(0)));
        return new RingStep(link.bytesPerStep(), link.steps(), latency, link.bandwidthBytesPerSecond());
    }

    @Override
    public double forwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
        double[] t = opSeconds.get(op.id());
        return t == null ? roofline.forwardSeconds(op, device, work) : scaled(op, t[0], work);
    }

    @Override
    public double backwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
        double[] t = opSeconds.get(op.id());
        return t == null ? roofline.backwardSeconds(op, device, work) : scaled(op, t[1], work);
    }

    /** The weight-gradient part as timed where the calibration split the backward, else its FLOP share. */
    @Override
    public double weightGradientSeconds(OpNode op, DeviceProfile device, OpWork work) {
        double[] t = opSeconds.get(op.id());
        return t == null || t.length < 3 ? CostModel.super.weightGradientSeconds(op, device, work) : scaled(op, t[2], work);
    }

    private double scaled(OpNode op, double seconds, OpWork work) {
        int measuredShare = measuredWhole.contains(op.id()) ? 1 : tensorParallel;
        return seconds * work.samples() / samples * measuredShare / work.tensorParallel();
    }

    /**
     * Without a tensor count: that of the stage of as many parameters where there is one, else the stages' tensors in
     * proportion to {@code parameters} ({@link #optimizerSeconds(DeviceProfile, long, int, Precision, OptimizerKind)}).
     */
    @Override
    public double optimizerSeconds(DeviceProfile device, long parameters, Precision precision, OptimizerKind optimizer) {
        long of = optimizerSteps.stream().mapToLong(StageOptimizer::parameters).sum();
        int tensors = optimizerSteps.stream().filter(o -> o.parameters() == parameters).mapToInt(StageOptimizer::tensors).findFirst()
                .orElse(of == 0 ? 0 : (int) Math.round((double) parameters
                        * optimizerSteps.stream().mapToInt(StageOptimizer::tensors).sum() / of));
        return optimizerSeconds(device, parameters, tensors, precision, optimizer);
    }

    /**
     * The stage's of as many parameters where there is one, its fixed cost per tensor for {@code parameterTensors}
     * (a device holding the whole stage: its timed step, give or take a tensor counted differently); else, at the
     * stages' fixed cost per tensor and their cost per parameter together.
     */
    @Override
    public double optimizerSeconds(DeviceProfile device, long parameters, int parameterTensors, Precision precision,
                                   OptimizerKind optimizer) {
        List<StageOptimizer> same = optimizerSteps.stream().filter(o -> o.parameters() == parameters).toList();
        List<StageOptimizer> timed = same.isEmpty() ? optimizerSteps : same.subList(0, 1);
        int tensors = timed.stream().mapToInt(StageOptimizer::tensors).sum();
        long of = timed.stream().mapToLong(StageOptimizer::parameters).sum();
        double fixed = timed.stream().mapToDouble(StageOptimizer::fixed).sum();
        double perParameter = timed.stream().mapToDouble(o -> o.perParameter() * o.parameters()).sum();
        return (tensors == 0 ? 0 : parameterTensors * fixed / tensors) + (of == 0 ? 0 : parameters * perParameter / of);
    }

    @Override
    public Link link(ClusterSpec cluster, String fromDevice, String toDevice) {
        return roofline.link(cluster, fromDevice, toDevice);
    }
}
