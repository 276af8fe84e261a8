package org.modelpar.simulator;

import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;

/**
 * A hand-made parallel configuration as an expert states it (e.g. Megatron-LM's t, p, d).
 *
 * @param pipeline             pipeline stages p
 * @param tensor               tensor-parallel degree t
 * @param data                 data-parallel degree d (replicas per stage)
 * @param microBatches         micro-batches per step m
 * @param replicaMicroBatch    samples per replica per micro-batch (Megatron's micro-batch size); the
 *                             plan's micro-batch is {@code replicaMicroBatch x d} samples
 * @param schedule             pipeline schedule
 * @param recompute            what every stage recomputes
 * @param precision            training precision
 * @param optimizer            optimizer
 * @param virtualStages        model chunks per device group (Megatron-LM's interleaving; 1 without): the plan
 *                             has p x v stages
 */
public record ParallelConfig(int pipeline, int tensor, int data, int microBatches, int replicaMicroBatch,
                             Schedule schedule, Recompute recompute, Precision precision, OptimizerKind optimizer,
                             int virtualStages) {
    public ParallelConfig {
        atLeastOne("virtualStages", virtualStages);
        atLeastOne("pipeline", pipeline);
        atLeastOne("tensor", tensor);
        atLeastOne("data", data);
        atLeastOne("microBatches", microBatches);
        atLeastOne("replicaMicroBatch", replicaMicroBatch);
        if (schedule == null || recompute == null || precision == null || optimizer == null) {
            throw new PlanException("schedule, recompute, precision and optimizer are required");
        }
    }

    /** One model chunk per device group. */
    public ParallelConfig(int pipeline, int tensor, int data, int microBatches, int replicaMicroBatch,
                          Schedule schedule, Recompute recompute, Precision precision, OptimizerKind optimizer) {
        this(pipeline, tensor, data, microBatches, replicaMicroBatch, schedule, recompute, precision, optimizer, 1);
    }

    /** Full recomputation ({@code true}) or none. */
    public ParallelConfig(int pipeline, int tensor, int data, int microBatches, int replicaMicroBatch,
                          Schedule schedule, boolean recompute, Precision precision, OptimizerKind optimizer) {
        this(pipeline, tensor, data, microBatches, replicaMicroBatch, schedule, Recompute.of(recompute), precision,
                optimizer);
    }

    /** The same configuration with {@code v} model chunks per device group. */
    public ParallelConfig withVirtualStages(int v) {
        return new ParallelConfig(pipeline, tensor, data, microBatches, replicaMicroBatch, schedule, recompute, precision,
                optimizer, v);
    }

    /** Devices the configuration needs: p x t x d. */
    public int deviceCount() {
        return pipeline * tensor * data;
    }

    /** Samples per step: replicaMicroBatch x d x m. */
    public int globalBatchSize() {
        return replicaMicroBatch * data * microBatches;
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new PlanException(name + " must be at least 1, got " + value);
        }
    }
}
