package org.modelpar.simulator.program;

/**
 * Sends this device's boundary tensors of one micro-batch to a device of another stage.
 *
 * @param stage       sending stage
 * @param toStage     receiving stage
 * @param microBatch  micro-batch index
 * @param payload     activations (forward) or gradients (backward)
 * @param peer        receiving device id
 * @param bytes       message size
 * @param firstSample first sample of the micro-batch carried
 * @param sampleCount samples carried
 */
public record Send(int stage, int toStage, int microBatch, Payload payload, String peer, long bytes,
                   int firstSample, int sampleCount) implements CommunicationInstruction {
    @Override
    public String name() {
        return "send " + payload.shortName() + " s" + stage + ">s" + toStage + " mb" + microBatch;
    }
}
