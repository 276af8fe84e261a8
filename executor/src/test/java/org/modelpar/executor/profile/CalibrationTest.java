package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A calibration times the kernels in the plan's precision, as the executor runs them (ND4J's CPU kernels run 16-bit
 * types many times slower than fp32: the small gpt's bf16 tensor-parallel step took 1.1-1.2 s against 40 ms in fp32,
 * and a calibration in fp32 predicted it at 57 ms); its passes and mixed-precision optimizer steps run in that type.
 */
class CalibrationTest {
    @ParameterizedTest
    @CsvSource({"FP32, FLOAT", "BF16, BFLOAT16", "FP16, HALF"})
    void timesTheKernelsInThePlansPrecision(Precision precision, DataType kernels) {
        ComputationGraph graph = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=8,vocab=16");
        PlacementPlan plan = oneDevice(graph, precision, Schedule.GPIPE);
        Calibration c = new Calibration(graph, plan, 1);
        c.sample();
        c.sample();
        assertThat(c.kernelType()).isEqualTo(kernels);
        Map<String, double[]> seconds = c.opSeconds();
        assertThat(seconds).hasSize(graph.ops().size());
        assertThat(seconds.values()).allSatisfy(s -> assertThat(s[0] + s[1]).isPositive());
    }

    /**
     * Under a schedule that splits the backward the calibration runs it split, as the executor does, and gives each op
     * its weight-gradient part third: positive for an op with parameters, 0 for one without, within its backward.
     */
    @Test
    void aSplitBackwardIsTimedInItsTwoParts() {
        ComputationGraph graph = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=8,vocab=16");
        PlacementPlan plan = oneDevice(graph, Precision.FP32, Schedule.ZB_H1);
        Calibration c = new Calibration(graph, plan, 1);
        c.sample();
        Map<String, double[]> seconds = c.opSeconds();
        for (OpNode op : graph.ops()) {
            double[] s = seconds.get(op.id());
            assertThat(s).as(op.id()).hasSize(3);
            assertThat(s[2]).as(op.id()).isBetween(0.0, s[1]);
            if (op.parameterBytes() > 0) {
                assertThat(s[2]).as(op.id()).isPositive();
            } else if (!op.attributes().containsKey("tiedTo")) {
                assertThat(s[2]).as(op.id()).isZero();
            }
        }
    }

    /**
     * A pass timed by another calibration of the same graph and plan (a worker process's) is recorded as one of this
     * calibration's own: with one pass, each op's forward is its kernel time scaled so the ops add up to the whole pass;
     * a pass of other ops is refused.
     */
    @Test
    void aPassTimedElsewhereIsRecordedAsItsOwn() {
        ComputationGraph graph = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=8,vocab=16");
        PlacementPlan plan = oneDevice(graph, Precision.FP32, Schedule.GPIPE);
        CalibrationPass pass = new Calibration(graph, plan, 1).pass();
        Calibration here = new Calibration(graph, plan, 2);
        assertThat(here.samples()).isZero();
        here.add(pass);
        assertThat(here.samples()).isOne();
        double kernels = pass.opSeconds().values().stream().mapToDouble(s -> s[0]).sum();
        for (OpNode op : graph.ops()) {
            assertThat(here.opSeconds().get(op.id())[0]).as(op.id())
                    .isCloseTo(pass.opSeconds().get(op.id())[0] * pass.forwardSeconds() / kernels, org.assertj.core.api.Assertions.within(1e-15));
        }
        Map<String, double[]> fewer = new java.util.HashMap<>(pass.opSeconds());
        fewer.remove(graph.ops().get(0).id());
        assertThatThrownBy(() -> here.add(new CalibrationPass(fewer, 1, 1, pass.optimizerSeconds(), 0, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a calibration pass of " + fewer.size() + " ops and 2 optimizer steps, not of this calibration's "
                        + graph.ops().size() + " and 2");
    }

    /**
     * Warming the host's sampler up (before a run's steps) records no capacity: its rounds are untimed; the samples
     * after it are the only rounds, each a capacity of two workers within [1, 2].
     */
    @Test
    void theHostsWarmUpRecordsNoRound() {
        ComputationGraph graph = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=8,vocab=16");
        Calibration c = new Calibration(graph, oneDevice(graph, Precision.FP32, Schedule.GPIPE), 1);
        c.warmHost(2);
        assertThat(c.hostCapacity()).isEmpty();
        c.sampleHost(2);
        c.sampleHost(2);
        assertThat(c.hostCapacity()).isPresent();
        assertThat(c.hostCapacity().getAsDouble()).isBetween(1.0, 2.0);
    }

    /** A pass reads back as it was written; a count its bytes cannot hold is refused before anything is allocated. */
    @Test
    void aPassReadsBackAsWrittenAndAHostileCountIsRefused() throws IOException {
        CalibrationPass pass = new CalibrationPass(Map.of("fc1", new double[] {1e-3, 2e-3, 0}, "loss", new double[] {4e-6, 5e-6, 0}),
                0.5, 0.75, new double[] {1e-4, 6e-5}, 2e-6, 3e-5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        pass.write(new DataOutputStream(bytes));
        CalibrationPass back = CalibrationPass.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), bytes.size());
        assertThat(back.opSeconds()).containsOnlyKeys("fc1", "loss");
        assertThat(back.opSeconds().get("fc1")).containsExactly(1e-3, 2e-3, 0);
        assertThat(back.opSeconds().get("loss")).containsExactly(4e-6, 5e-6, 0);
        assertThat(back.optimizerSeconds()).containsExactly(1e-4, 6e-5);
        assertThat(List.of(back.forwardSeconds(), back.backwardSeconds(), back.hostCallSeconds(), back.hostCopySeconds()))
                .containsExactly(0.5, 0.75, 2e-6, 3e-5);
        byte[] hostile = bytes.toByteArray();
        hostile[0] = 0x7f;
        assertThatThrownBy(() -> CalibrationPass.read(new DataInputStream(new ByteArrayInputStream(hostile)), hostile.length))
                .isInstanceOf(IOException.class)
                .hasMessage("2130706434 ops in a calibration pass of at most " + hostile.length / 26);
    }

    /** The whole of {@code graph} on one device, micro-batches of 4, Adam. */
    private static PlacementPlan oneDevice(ComputationGraph graph, Precision precision, Schedule schedule) {
        return new PlacementPlan(graph.name(), "", "local", "", precision, OptimizerKind.ADAM, 4, 4, 1, schedule, 1,
                List.of(new Stage(0, List.of("cpu0"), graph.topologicalOrder().stream().map(OpNode::id).toList(), false)));
    }
}
