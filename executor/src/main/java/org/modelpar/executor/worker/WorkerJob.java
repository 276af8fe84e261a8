package org.modelpar.executor.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.FaultHook;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.io.ClusterJson;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanJson;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What the coordinator hands every worker when it joins: the graph, cluster and plan in their file
 * formats (so a worker needs no files of its own) and the training settings.
 *
 * @param checkpointDir where the coordinator writes checkpoints, empty for none (workers only send their part)
 * @param resumeDir     the checkpoint every worker restores its devices from, empty for a fresh start
 * @param warmUp        whether the workers run warm-up steps first (the coordinator says when they are done)
 * @param calibrate     whether each worker holds a calibration of the plan, whose passes the coordinator may ask for
 *                      between steps ({@link Coordinator#PASS})
 */
public record WorkerJob(String graphJson, String clusterJson, String planJson, int steps, long seed, long dataSeed,
                        double learningRate, String dataType, long timeoutMillis, Map<String, Long> memoryBudgetBytes,
                        long defaultBudgetBytes, String checkpointDir, String resumeDir, boolean warmUp, boolean calibrate) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public WorkerJob {
        memoryBudgetBytes = Map.copyOf(memoryBudgetBytes);
    }

    /** The job of training {@code plan} with {@code options} (its clock and fault hook stay behind). */
    public static WorkerJob of(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, TrainOptions options, boolean calibrate) {
        ExecutorOptions e = options.executor();
        return new WorkerJob(GraphJson.toJson(graph), ClusterJson.write(cluster), PlanJson.write(PlanFile.of(plan)),
                options.steps(), e.seed(), options.dataSeed(), e.learningRate(), e.dataType().name(), e.timeout().toMillis(),
                e.memoryBudgetBytes(), e.defaultBudgetBytes(), options.checkpointDir().map(Path::toString).orElse(""),
                options.resumeDir().map(Path::toString).orElse(""), options.warmUp(), calibrate);
    }

    public ComputationGraph graph() {
        return GraphJson.parse(graphJson, "job graph");
    }

    public ClusterSpec cluster() {
        return ClusterJson.parse(clusterJson, "job cluster");
    }

    public PlacementPlan plan() {
        return PlanJson.read(planJson, "job plan").plan();
    }

    /**
     * The training options a worker runs with: no checkpoints of its own, resuming where the job says, {@code hook}
     * called before every instruction.
     */
    public TrainOptions options(FaultHook hook) {
        ExecutorOptions e = ExecutorOptions.defaults(seed, learningRate).withDataType(DataType.valueOf(dataType))
                .withTimeout(Duration.ofMillis(timeoutMillis)).withMemoryBudgets(memoryBudgetBytes, defaultBudgetBytes)
                .withFaultHook(hook);
        return new TrainOptions(steps, e, dataSeed, Optional.empty(), resume(), warmUp);
    }

    public Optional<Path> checkpoint() {
        return checkpointDir.isEmpty() ? Optional.empty() : Optional.of(Path.of(checkpointDir));
    }

    public Optional<Path> resume() {
        return resumeDir.isEmpty() ? Optional.empty() : Optional.of(Path.of(resumeDir));
    }

    byte[] encode() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the job: " + e.getOriginalMessage(), e);
        }
    }

    static WorkerJob decode(byte[] bytes) {
        try {
            return MAPPER.readValue(new String(bytes, StandardCharsets.UTF_8), WorkerJob.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("malformed job from the coordinator: " + e.getOriginalMessage(), e);
        }
    }
}
