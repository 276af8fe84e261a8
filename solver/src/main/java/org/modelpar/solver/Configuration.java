package org.modelpar.solver;

import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;

/**
 * One parallel configuration the outer search tries.
 *
 * @param pipeline       pipeline degree p
 * @param tensor         tensor-parallel degree t (within a node)
 * @param data           data-parallel degree d
 * @param microBatchSize samples per micro-batch (split over the d replicas)
 * @param microBatches   micro-batches per step
 * @param schedule       pipeline schedule
 * @param recompute      whether stages may recompute (decided per stage after placement)
 */
public record Configuration(int pipeline, int tensor, int data, int microBatchSize, int microBatches,
                            Schedule schedule, boolean recompute) {
    public Configuration {
        if (pipeline < 1 || tensor < 1 || data < 1 || microBatches < 1 || microBatchSize % data != 0) {
            throw new IllegalArgumentException("bad configuration pp=" + pipeline + " tp=" + tensor + " dp=" + data
                    + " mb=" + microBatchSize + " m=" + microBatches);
        }
    }

    /** The configuration of a plan (recomputation when any stage recomputes). */
    public static Configuration of(PlacementPlan plan) {
        return new Configuration(plan.pipelineStages(), plan.tensorParallel(), plan.dataParallel(0), plan.microBatchSize(),
                plan.microBatches(), plan.schedule(), plan.stages().stream().anyMatch(s -> s.recompute()));
    }

    public int devices() {
        return pipeline * tensor * data;
    }

    /** Samples one replica runs per micro-batch (Megatron's micro-batch size). */
    public int samplesPerReplica() {
        return microBatchSize / data;
    }

    /** E.g. {@code pp=4 tp=8 dp=4 mb=32 m=16 1f1b recompute}. */
    public String label() {
        return "pp=" + pipeline + " tp=" + tensor + " dp=" + data + " mb=" + microBatchSize + " m=" + microBatches
                + " " + schedule.jsonName() + (recompute ? " recompute" : "");
    }
}
