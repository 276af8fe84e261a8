package org.modelpar.workflow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.PlanSupport;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.solver.PlanRequest;
import org.modelpar.solver.RuntimeCheck;

/** What training a plan on local workers needs: executor options and the calibrated prediction it is compared with. */
public final class LocalTraining {
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
}
