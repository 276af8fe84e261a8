package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.modelpar.executor.kernel.ExpertGroup;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.executor.transport.Message;
import org.modelpar.executor.transport.Transport;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.ExpertAllToAll;
import org.modelpar.simulator.program.StepProgram;

/**
 * The bytes a step's expert exchanges move (summed over every device's sends) equal what the lowering's
 * {@link ExpertAllToAll}s price: {@code (e-1)/e x bytes} through each member's links. By hand for moe-tiny (4 layers of 4
 * experts, capacity 20 slots of 64 floats per sample): a member sends its slots for the E(e-1)/e experts it does not
 * hold and, for each of its E/e experts, the outputs of the other e-1 members, {@code 2 (e-1)/e x E x 20 x 64 x 4} bytes
 * per sample and layer each pass, the lowering's {@code (e-1)/e x} the experts' token inputs and outputs; a split
 * backward's weight part posts the output gradients once more ({@code (e-1)/e x E x 20 x 64 x 4}).
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
                Arguments.of(2, 2, 2, 2, Schedule.GPIPE, Recompute.FULL),
                Arguments.of(2, 2, 2, 2, Schedule.ZB_H1, Recompute.NONE),
                Arguments.of(1, 4, 4, 4, Schedule.ZB_H1, Recompute.NONE));
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
        ExpertTraffic traffic = new ExpertTraffic();
        Transport transport = new ObservedTransport(new InProcessTransport(MailboxCapacities.of(program)), traffic);
        try (Executor ex = Executor.create(GRAPH, program, ExecutorOptions.defaults(5, 0.05), devices, transport)) {
            ex.step(SyntheticTask.forGraph(GRAPH, 11).batch(0, plan.globalBatchSize()));
        } finally {
            transport.close();
        }
        // two all-to-alls a pass (tokens and outputs), three passes when recomputing; a split backward's weight part one
        // more (the outputs' gradients again)
        int allToAlls = 2 * (recompute == Recompute.FULL ? 3 : 2) + (schedule.splitsBackward() ? 1 : 0);
        long byHand = (long) allToAlls * (expertDegree - 1) * 4 / expertDegree * SLOT_BYTES * 4 * plan.globalBatchSize();
        assertThat(traffic.expertBytes()).isEqualTo(priced).isEqualTo(byHand);
    }

    /**
     * Each member sends what it can before it waits: in every pass of a layer, all its posts of slots (forward) or output
     * gradients (backward) to the other experts' holders come before its first wait, and it collects the others' parts
     * for its own experts (and runs them) before it waits for the results of the others'.
     */
    @ParameterizedTest(name = "expert degree {0}")
    @ValueSource(ints = {2, 4})
    void membersPostEverythingBeforeTheyWaitAndRunTheirExpertsBeforeTheOthersResults(int expertDegree) {
        PlacementPlan base = Plans.plan(GRAPH, 1, 4, 4, 1, Schedule.GPIPE, OptimizerKind.SGD);
        PlacementPlan plan = base.withOptions(base.options().withExpertParallel(expertDegree));
        StepProgram program = Plans.lower(GRAPH, plan);
        Set<String> devices = new HashSet<>(program.programs().stream().map(DeviceProgram::device).toList());
        ExpertTraffic traffic = new ExpertTraffic();
        Transport transport = new ObservedTransport(new InProcessTransport(MailboxCapacities.of(program)), traffic);
        try (Executor ex = Executor.create(GRAPH, program, ExecutorOptions.defaults(5, 0.05), devices, transport)) {
            ex.step(SyntheticTask.forGraph(GRAPH, 11).batch(0, plan.globalBatchSize()));
        } finally {
            transport.close();
        }
        for (String device : devices) {
            Map<String, List<Event>> passes = new LinkedHashMap<>();
            traffic.events(device).forEach(e -> passes.computeIfAbsent(e.pass(), k -> new ArrayList<>()).add(e));
            assertThat(passes).hasSize(2 * 4);
            passes.forEach((pass, events) -> {
                String post = pass.startsWith("forward") ? "dispatch" : "gradient";
                String result = pass.startsWith("forward") ? "combine" : "input gradient";
                int firstWait = indexOf(events, e -> !e.sent());
                assertThat(lastIndexOf(events, e -> e.sent() && e.what().equals(post))).as("%s %s", device, pass).isLessThan(firstWait);
                assertThat(lastIndexOf(events, e -> !e.sent() && e.what().equals(post)))
                        .as("%s %s", device, pass).isLessThan(indexOf(events, e -> !e.sent() && e.what().equals(result)));
            });
        }
    }

    private static int indexOf(List<Event> events, Predicate<Event> p) {
        return IntStream.range(0, events.size()).filter(i -> p.test(events.get(i))).findFirst().orElseThrow();
    }

    private static int lastIndexOf(List<Event> events, Predicate<Event> p) {
        return IntStream.range(0, events.size()).filter(i -> p.test(events.get(i))).max().orElseThrow();
    }

    /** A device's send or receive of an expert message: its layer's pass ({@code forward L n}), what it carries. */
    private record Event(boolean sent, String pass, String what) {
        private static final Pattern TAG = Pattern.compile("ep (\\S+) expert \\d+ (.+) (\\d+)");

        static Event of(boolean sent, String tag) {
            Matcher m = TAG.matcher(tag);
            assertThat(m.matches()).as(tag).isTrue();
            String direction = m.group(2).equals("dispatch") || m.group(2).equals("combine") ? "forward" : "backward";
            return new Event(sent, direction + " " + m.group(1) + " " + m.group(3), m.group(2));
        }
    }

    /** What an {@link ObservedTransport} saw of the expert exchanges ({@link ExpertGroup#TAG_PREFIX}): bytes and order. */
    private static final class ExpertTraffic implements ObservedTransport.Observer {
        private final AtomicLong expertBytes = new AtomicLong();
        private final Map<String, List<Event>> events = new ConcurrentHashMap<>();

        List<Event> events(String device) {
            return events.getOrDefault(device, List.of());
        }

        long expertBytes() {
            return expertBytes.get();
        }

        @Override
        public void sent(Message message) {
            if (message.key().tag().startsWith(ExpertGroup.TAG_PREFIX)) {
                message.tensors().values().forEach(t -> expertBytes.addAndGet(t.length() * t.dataType().width()));
            }
            record(message.key().from(), true, message.key().tag());
        }

        @Override
        public void receiving(Message.Key key) {
            record(key.to(), false, key.tag());
        }

        private void record(String device, boolean sent, String tag) {
            if (tag.startsWith(ExpertGroup.TAG_PREFIX)) {
                events.computeIfAbsent(device, d -> Collections.synchronizedList(new ArrayList<>())).add(Event.of(sent, tag));
            }
        }
    }
}
