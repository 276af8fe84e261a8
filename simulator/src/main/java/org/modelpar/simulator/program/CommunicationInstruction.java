package org.modelpar.simulator.program;

/** An instruction of the communication stream: {@link Send}, {@link Recv}, {@link AllReduce}. */
public sealed interface CommunicationInstruction extends Instruction permits Send, Recv, AllReduce {
    @Override
    default Stream stream() {
        return Stream.COMMUNICATION;
    }
}
