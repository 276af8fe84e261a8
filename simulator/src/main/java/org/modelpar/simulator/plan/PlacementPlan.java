package org.modelpar.simulator.plan;

import java.util.List;

/**
 * The parallel configuration of one training step ({@code modelpar-plan/1}, docs/simulator.md#plan-files).
 *
 * <p>A micro-batch of {@code microBatchSize} samples flows through the whole pipeline; a stage with d
 * data-parallel replicas splits every micro-batch evenly across them (replica r takes samples
 * {@code [r * b / d, (r + 1) * b / d)}). So {@code globalBatchSize = microBatchSize * microBatches}, and
 * Megatron-LM's per-GPU micro-batch size is {@code microBatchSize / d}.
 *
 * <p>Structural checks happen here; checks against a graph and a cluster are {@link PlanValidator}'s.
 *
 * @param graphName       name of the graph the plan was made for
 * @param graphHash       content hash of that graph
 * @param clusterName     name of the cluster
 * @param clusterHash     content hash of the cluster
 * @param precision       training precision
 * @param optimizer       optimizer
 * @param globalBatchSize samples per step
 * @param microBatchSize  samples per micro-batch (across a stage's replicas)
 * @param microBatches    micro-batches per step
 * @param schedule        pipeline schedule
 * @param tensorParallel  tensor-parallel degree t, dividing every stage's device count
 * @param stages          stages in pipeline order, indices 0..p-1
 * @param options         Megatron-LM's sequence parallelism, scatter/gather sends, overlapped gradient reduction
 * @param virtualStages   model chunks per device group v: 1, or at least 2 with the {@code interleaved}
 *                        schedule, whose p·v stages run stage s on the devices of stage {@code s mod p}
 *                        ({@link #pipelineDegree()} p device groups)
 */
public record PlacementPlan(String graphName, String graphHash, String clusterName, String clusterHash,
                            Precision precision, OptimizerKind optimizer, int globalBatchSize,
                            int microBatchSize, int microBatches, Schedule schedule, int tensorParallel,
                            List<Stage> stages, PlanOptions options, int virtualStages) {
    public PlacementPlan {
        require(precision != null && optimizer != null && schedule != null, "precision, optimizer and schedule are required");
        require(microBatchSize >= 1, "microBatchSize must be at least 1, got " + microBatchSize);
        require(microBatches >= 1, "microBatches must be at least 1, got " + microBatches);
        require(tensorParallel >= 1, "tensorParallel must be at least 1, got " + tensorParallel);
        require(options != null, "options are required");
        require(!options.sequenceParallel() || tensorParallel > 1,
                "sequenceParallel needs tensorParallel above 1, got tensorParallel " + tensorParallel);
        require(!options.scatterGather() || tensorParallel > 1,
                "scatterGather needs tensorParallel above 1, got tensorParallel " + tensorParallel);
        require((long) microBatchSize * microBatches == globalBatchSize,
                "globalBatchSize " + globalBatchSize + " must equal microBatchSize " + microBatchSize
                        + " x microBatches " + microBatches);
        require(stages != null && !stages.isEmpty(), "plan has no stages");
        stages = List.copyOf(stages);
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            require(s.index() == i, "stage at position " + i + " has index " + s.index());
            require(s.devices().size() % tensorParallel == 0, "stage " + i + " has " + s.devices().size()
                    + " devices, not a multiple of tensorParallel " + tensorParallel);
            int replicas = s.devices().size() / tensorParallel;
            require(microBatchSize % replicas == 0, "stage " + i + " has " + replicas
                    + " data-parallel replicas, which do not divide microBatchSize " + microBatchSize);
            require(replicas % options.expertParallel() == 0, "stage " + i + " has " + replicas
                    + " data-parallel replicas, not a multiple of expertParallel " + options.expertParallel());
        }
        ScheduleRules.check(schedule, virtualStages, microBatches, stages);
        graphName = graphName == null ? "" : graphName;
        graphHash = graphHash == null ? "" : graphHash;
        clusterName = clusterName == null ? "" : clusterName;
        clusterHash = clusterHash == null ? "" : clusterHash;
    }

    /** A plan with one model chunk per device group (every schedule but {@code interleaved}). */
    public PlacementPlan(String graphName, String graphHash, String clusterName, String clusterHash,
                         Precision precision, OptimizerKind optimizer, int globalBatchSize,
                         int microBatchSize, int microBatches, Schedule schedule, int tensorParallel,
                         List<Stage> stages, PlanOptions options) {
        this(graphName, graphHash, clusterName, clusterHash, precision, optimizer, globalBatchSize, microBatchSize,
                microBatches, schedule, tensorParallel, stages, options, 1);
    }

    /** A plan without any of {@link PlanOptions}. */
    public PlacementPlan(String graphName, String graphHash, String clusterName, String clusterHash,
                         Precision precision, OptimizerKind optimizer, int globalBatchSize,
                         int microBatchSize, int microBatches, Schedule schedule, int tensorParallel,
                         List<Stage> stages) {
        this(graphName, graphHash, clusterName, clusterHash, precision, optimizer, globalBatchSize, microBatchSize,
                microBatches, schedule, tensorParallel, stages, PlanOptions.NONE);
    }

    /** The same plan with other options. */
    public PlacementPlan withOptions(PlanOptions o) {
        return new PlacementPlan(graphName, graphHash, clusterName, clusterHash, precision, optimizer, globalBatchSize,
                microBatchSize, microBatches, schedule, tensorParallel, stages, o, virtualStages);
    }

    /** The same plan with every stage's recompute mode set to {@code mode}. */
    public PlacementPlan withRecomputation(Recompute mode) {
        return new PlacementPlan(graphName, graphHash, clusterName, clusterHash, precision, optimizer, globalBatchSize,
                microBatchSize, microBatches, schedule, tensorParallel,
                stages.stream().map(s -> s.withRecomputation(mode)).toList(), options, virtualStages);
    }

    /** Stages in pipeline order: the pipeline degree p, times v model chunks with {@code interleaved}. */
    public int pipelineStages() {
        return stages.size();
    }

    /** Pipeline degree p: the device groups, each running {@link #virtualStages()} stages. */
    public int pipelineDegree() {
        return stages.size() / virtualStages;
    }

    /** Data-parallel degree of a stage: its devices / tensorParallel. */
    public int dataParallel(int stage) {
        return stages.get(stage).devices().size() / tensorParallel;
    }

    /** All devices of the plan, stage by stage, each once (the devices of the first p stages). */
    public List<String> devices() {
        return stages.subList(0, pipelineDegree()).stream().flatMap(s -> s.devices().stream()).toList();
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new PlanException(message);
        }
    }
}
