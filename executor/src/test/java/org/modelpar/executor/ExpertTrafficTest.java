package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.executor.kernel.ExpertGroup;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.executor.transport.Message;
import org.modelpar.executor.transport.Transport;
import org.modelpar.executor.transport.Waits;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.ExpertAllToAll;
import org.modelpar.simulator.program.StepProgram;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The bytes a step's expert exchanges move (summed over every device's sends) equal what the lowering's
 * {@link ExpertAllToAll}s price: {@code (e-1)/e x bytes} through each member's links. By hand for moe-tiny (4 layers of 4
 * experts, capacity 20 slots of 64 floats per sample): a member sends its slots for the E(e-1)/e experts it does not
 * hold and, for each of its E/e experts, the outputs of the other e-1 members, {@code 2 (e-1)/e x E x 20 x 64 x 4} bytes
 * per sample and layer each pass, the lowering's {@code (e-1)/e x} the experts' token inputs and outputs.
 */
class ExpertTrafficTest {
    private static final ComputationGraph GRAPH = ModelZoo.build("moe-tiny");
    private static final long SLOT_BYTES = 20 * 64 * 4;

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(1, 2, 2, 2, Schedule.ONE_F_ONE_B, Recompute.NONE),
                Arguments.of(2, 2, 2, 2, Schedule.ONE_F_ONE_B, Recompute.NONE),
                Arguments.of(1, 4, 4, 4, Schedule.GPIPE, Recompute.NONE),
                Arguments.of(1, 4, 4, 2, Schedule.GPIPE, Recompute.NONE),
                Arguments.of(2, 2, 2, 2, Schedule.GPIPE, Recompute.FULL));
    }

    @ParameterizedTest(name = "{0} stages x {1} replicas, micro-batch {2}, expert degree {3}, {4}, recompute {5}")
    @MethodSource("layouts")
    void aStepMovesTheLoweringsAllToAllBytes(int stages, int replicas, int microBatchSize, int expertDegree, Schedule schedule,
                                             Recompute recompute) {
        PlacementPlan base = Plans.plan(GRAPH, stages, replicas, microBatchSize, 4 / microBatchSize, schedule, OptimizerKind.SGD)
                .withRecomputation(recompute);
        PlacementPlan plan = base.withOptions(base.options().withExpertParallel(expertDegree));
        StepProgram program = Plans.lower(GRAPH, plan);
        long priced = 0;
        Set<String> devices = new HashSet<>();
        for (DeviceProgram p : program.programs()) {
            devices.add(p.device());
            for (var in : p.instructions()) {
                if (in instanceof ExpertAllToAll a) {
                    priced += a.bytes() * (expertDegree - 1) / expertDegree;
                }
            }
        }
        CountingTransport transport = new CountingTransport(new InProcessTransport(MailboxCapacities.of(program)));
        try (Executor ex = Executor.create(GRAPH, program, ExecutorOptions.defaults(5, 0.05), devices, transport)) {
            ex.step(SyntheticTask.forGraph(GRAPH, 11).batch(0, plan.globalBatchSize()));
        } finally {
            transport.close();
        }
        int passes = recompute == Recompute.FULL ? 3 : 2;
        long byHand = (long) passes * 2 * (expertDegree - 1) * 4 / expertDegree * SLOT_BYTES * 4 * plan.globalBatchSize();
        assertThat(transport.expertBytes()).isEqualTo(priced).isEqualTo(byHand);
    }

    /** In-process messages, counting the bytes of the expert exchanges' ({@link ExpertGroup#TAG_PREFIX}). */
    private static final class CountingTransport implements Transport {
        private final Transport inner;
        private final AtomicLong expertBytes = new AtomicLong();

        CountingTransport(Transport inner) {
            this.inner = inner;
        }

        long expertBytes() {
            return expertBytes.get();
        }

        @Override
        public void send(Message message, Waits waits) throws InterruptedException {
            if (message.key().tag().startsWith(ExpertGroup.TAG_PREFIX)) {
                message.tensors().values().forEach(t -> expertBytes.addAndGet(t.length() * t.dataType().width()));
            }
            inner.send(message, waits);
        }

        @Override
        public Message receive(Message.Key key, Waits waits) throws InterruptedException {
            return inner.receive(key, waits);
        }

        @Override
        public void release(Collection<INDArray> arrays) {
            inner.release(arrays);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
