package org.modelpar.executor;

import java.util.Map;
import org.modelpar.simulator.program.Payload;

/**
 * A point-to-point message: copies of boundary tensors of some samples of one micro-batch, keyed by
 * producer op id. Nobody else holds a reference to its arrays.
 */
record Message(Key key, int sampleCount, Map<String, org.nd4j.linalg.api.ndarray.INDArray> tensors, long bytes, MemoryLedger heldBy) {
    /** What a Recv matches: the Send with the same sender, stages, micro-batch, payload and first sample. */
    record Key(String from, int fromStage, int toStage, int microBatch, Payload payload, int firstSample) {
    }
}
