package org.modelpar.simulator.program;

/** An instruction of the communication stream: {@link Send}, {@link Recv}, a {@link Collective}. */
public sealed interface CommunicationInstruction extends Instruction permits Send, Recv, Collective {
    @Override
    default Stream stream() {
        return Stream.COMMUNICATION;
    }
}
