package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;

/** The measured kernel temporaries that predict this executor's memory. */
class KernelWorkspaceTest {
    private static final String GPT = "gpt:layers=1,hidden=32,heads=2,seq=16,vocab=64";

    @Test
    void aResidualAddTakesExactlyItsOutputAndEveryKernelAtLeastItsOutput() {
        ComputationGraph graph = ModelZoo.build(GPT);
        ComputationGraph measured = KernelWorkspace.measure(graph, 4);
        // x + y allocates the sum once (4 samples x 16 tokens x 32 values x 4 bytes, per sample 2048); its backward none
        assertThat(measured.op("block0.add1").orElseThrow().workspaceBytes()).isEqualTo(16 * 32 * 4);
        for (OpNode op : measured.ops()) {
            long output = graph.outgoing(op.id()).isEmpty() ? 0 : op.activationBytes();
            assertThat(op.workspaceBytes()).as("workspace of %s (%s)", op.id(), op.kind()).isGreaterThanOrEqualTo(output);
        }
    }

    @Test
    void keepsEverythingButTheWorkspace() {
        ComputationGraph graph = ModelZoo.build(GPT);
        ComputationGraph measured = KernelWorkspace.measure(graph, 2);
        assertThat(measured.tensors()).isEqualTo(graph.tensors());
        for (OpNode op : graph.ops()) {
            OpNode m = measured.op(op.id()).orElseThrow();
            assertThat(m.parameterBytes()).isEqualTo(op.parameterBytes());
            assertThat(m.activationBytes()).isEqualTo(op.activationBytes());
            assertThat(m.forwardFlops()).isEqualTo(op.forwardFlops());
        }
        assertThatThrownBy(() -> KernelWorkspace.measure(graph, 0)).hasMessageContaining("got 0");
    }
}
