package org.modelpar.simulator.program;

/**
 * Receives boundary tensors of one micro-batch from a device of another stage; matches exactly one
 * {@link Send} of the peer with the same stages, micro-batch, payload and samples.
 *
 * @param stage       receiving stage (this device's)
 * @param fromStage   sending stage
 * @param microBatch  micro-batch index
 * @param payload     activations (forward) or gradients (backward)
 * @param peer        sending device id
 * @param bytes       message size
 * @param firstSample first sample of the micro-batch carried
 * @param sampleCount samples carried
 */
public record Recv(int stage, int fromStage, int microBatch, Payload payload, String peer, long bytes,
                   int firstSample, int sampleCount) implements CommunicationInstruction {
    @Override
    public String name() {
        return "recv " + payload.shortName() + " s" + fromStage + ">s" + stage + " mb" + microBatch;
    }
}
