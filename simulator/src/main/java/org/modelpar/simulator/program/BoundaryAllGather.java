package org.modelpar.simulator.program;

import java.util.List;
import java.util.Optional;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.StageProfile;

/**
 * The all-gather of a scatter/gather pipeline message (Narayanan et al., "Efficient large-scale language model
 * training on GPU clusters using Megatron-LM", SC 2021, section 4.1): each of the receiving replica's t tensor
 * ranks received 1/t of the boundary tensor across nodes, and the replica all-gathers the whole tensor over its
 * own devices' links before the compute that reads it. Placed after the {@link Recv}s of a forward (activations)
 * or of a backward (gradients) and before its {@link Compute}: it starts once every member has received its part
 * and finished the compute instruction before it, and that compute waits for it. With sequence parallelism the
 * received 1/t is the rank's part of the sequence and nothing is gathered.
 *
 * @param stage      the receiving stage
 * @param microBatch micro-batch index
 * @param payload    activations (forward) or gradients (backward)
 * @param group      the replica's devices, in tensor-rank order
 * @param bytes      the whole boundary tensor of the replica's samples (each member contributes 1/t)
 */
public record BoundaryAllGather(int stage, int microBatch, Payload payload, List<String> group, long bytes)
        implements Collective {
    public BoundaryAllGather {
        group = List.copyOf(group);
        if (bytes < 0) {
            throw new IllegalArgumentException("a boundary all-gather needs bytes >= 0, got " + bytes);
        }
    }

    /**
     * The gather of what {@code stage} receives with {@code payload} (its input activations or its output gradients)
     * on the replica {@code group}; empty without scatter/gather or when the stage receives nothing of it.
     */
    static Optional<BoundaryAllGather> of(PlanLayout layout, int stage, int microBatch, Payload payload,
                                          List<String> group) {
        StageProfile sp = layout.stage(stage);
        long perSample = payload == Payload.ACTIVATION ? sp.inputBytesPerSample() : sp.outputBytesPerSample();
        if (!layout.plan().options().gathersMessages() || perSample == 0) {
            return Optional.empty();
        }
        return Optional.of(new BoundaryAllGather(stage, microBatch, payload, group, layout.replicaTensorBytes(stage, perSample)));
    }

    @Override
    public int ringPasses() {
        return 1;
    }

    @Override
    public boolean waitsForReceives() {
        return true;
    }

    @Override
    public String name() {
        return "allgather " + payload.shortName() + " s" + stage + " mb" + microBatch;
    }
}
