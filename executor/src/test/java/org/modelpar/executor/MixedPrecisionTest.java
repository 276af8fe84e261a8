package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.transport.Message;
import org.modelpar.executor.transport.TensorCodec;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mixed precision (Micikevicius et al., ICLR 2018): bf16 and fp16 kernels on fp32 master weights train as fp32
 * does, within 16-bit rounding; fp16 with dynamic loss scaling.
 */
class MixedPrecisionTest {
    private static final int STEPS = 4;

    @Test
    void sixteenBitTrainingFollowsFp32() {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        ExecutorOptions options = ExecutorOptions.defaults(5, 0.05);
        PlacementPlan fp32 = Plans.plan(graph, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD);
        Map<String, INDArray> initial = EquivalenceTest.train(graph, fp32, options, 0);
        Map<String, INDArray> reference = EquivalenceTest.train(graph, fp32, options, STEPS);
        double moved = EquivalenceTest.maxDifference(initial, reference);
        for (Precision p : new Precision[] {Precision.BF16, Precision.FP16}) {
            for (int stages = p == Precision.BF16 ? 2 : 1; stages <= 2; stages += 2) {
                Map<String, INDArray> mixed = EquivalenceTest.train(graph,
                        in(p, Plans.plan(graph, stages, 1, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD)), options, STEPS);
                double off = EquivalenceTest.maxDifference(reference, mixed);
                System.out.printf("MIXED %s on %d stages: max difference to fp32 %.3g, training moved %.3g%n", p, stages, off, moved);
                assertThat(off).as("%s on %d stages", p, stages).isLessThan(0.05 * moved).as("computed in 16 bits").isPositive();
                assertThat(mixed.get("embed.word").dataType()).as("master weights").isEqualTo(reference.get("embed.word").dataType());
            }
        }
    }

    @Test
    void sixteenBitTensorsTravelBetweenProcessesExactly() {
        for (DataType t : new DataType[] {DataType.BFLOAT16, DataType.HALF}) {
            INDArray x = Nd4j.linspace(-3, 3, 12, DataType.FLOAT).reshape(3, 4).divi(7).castTo(t);
            Message sent = Message.of(new Message.Key("cpu0", "cpu1", "act"), Map.of("x", x));
            INDArray back = TensorCodec.decode(TensorCodec.encode(sent)).tensors().get("x");
            assertThat(back.dataType()).isEqualTo(t);
            assertThat(back.equals(x)).as("%s bit-exact", t).isTrue();
        }
    }

    @Test
    void lossScaleHalvesOnOverflowAndGrowsAfterAnInterval() {
        LossScale s = LossScale.dynamic();
        assertThat(s.value()).isEqualTo(65536);
        s.update(true);
        s.update(true);
        assertThat(s.value()).isEqualTo(16384);
        for (int i = 0; i < LossScale.GROWTH_INTERVAL - 1; i++) {
            s.update(false);
        }
        assertThat(s.value()).isEqualTo(16384);
        s.update(false);
        assertThat(s.value()).isEqualTo(32768);
        LossScale restored = LossScale.dynamic();
        restored.restore(s.state());
        assertThat(restored.value()).isEqualTo(32768);
        LossScale none = LossScale.none();
        none.update(true);
        assertThat(none.value()).isEqualTo(1);
    }

    private static PlacementPlan in(Precision precision, PlacementPlan p) {
        return new PlacementPlan(p.graphName(), "", "local", "", precision, p.optimizer(), p.globalBatchSize(), p.microBatchSize(),
                p.microBatches(), p.schedule(), p.tensorParallel(), p.stages());
    }
}
