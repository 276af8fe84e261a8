package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.executor.transport.Transport;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.program.TensorCollective;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * With sequence parallelism the lowering's {@code TensorCollective}s count ring passes (a reduce-scatter or an
 * all-gather each, an all-reduce two), and the executor runs exactly as many in each pass: on tensor degree 2 every
 * pass is one ring step, so one message a member sends. The 2-layer gpt on one stage of 2 ranks, 2 micro-batches,
 * GPipe, as Megatron-LM runs it (Korthikanti et al. 2022, section 4.2.2): forward the embedding's reduce-scatter, per
 * layer the two column-parallel linears' gathers of their input and the two row-parallel linears' reduce-scatters of
 * their output (4), and the logits' gather of their input and the vocabulary-parallel loss's two all-reduces (row
 * maxima, then sums; two passes each): 1 + 2 x 4 + 1 + 4 = 14; backward per layer each column-parallel linear's
 * reduce-scatter of its input gradient and re-gather of its input (2 x 2) and each row-parallel linear's one gather of
 * its output gradient, read by both its input and its weight gradient (2 x 1), the logits' 2 and the embedding's
 * gathered output gradient: 2 x 6 + 2 + 1 = 15 (39 when the row-parallel linears gathered twice and the 5 layer norms
 * all-reduced their 2 gradients in every backward, 4 + 20 more); at the step end, once, the 5 layer norms' 10
 * gradients in one flattened all-reduce: 2. With ZB-H1's split backward the input part runs per layer the two
 * column-parallel reduce-scatters and the two row-parallel gathers of the output gradient (4) and the logits' one:
 * 2 x 4 + 1 = 9, and the weight part gathers again what the weight gradients read: per layer both column-parallel
 * inputs and both row-parallel output gradients (4), the logits' input and the embedding's output gradient:
 * 2 x 4 + 2 = 10 (one more per row-parallel linear than the whole backward).
 */
class SequenceParallelCountTest {
    @Test
    void executorRunsTheRingPassesTheLoweringCounts() {
        assertCounts(Schedule.GPIPE, List.of(14, 14, 15, 15, 2));
    }

    @Test
    void aSplitBackwardRunsItsWeightPartsRegathersInItsWeightPass() {
        assertCounts(Schedule.ZB_H1, List.of(14, 14, 9, 9, 10, 10, 2));
    }

    /** The lowering's and the executor's ring passes per pass of each device, {@code expected} sorted by pass and micro-batch. */
    private static void assertCounts(Schedule schedule, List<Integer> expected) {
        ComputationGraph graph = ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=16");
        PlacementPlan plain = Plans.tensorParallel(graph, 1, 2, 1, schedule);
        PlacementPlan plan = plain.withOptions(plain.options().withSequenceParallel(true));
        StepProgram program = Plans.lower(graph, plan);
        ThreadLocal<long[]> clock = ThreadLocal.withInitial(() -> new long[1]);
        Ticker microsPerReading = () -> clock.get()[0] += 1000;
        Map<String, List<String>> sent = new ConcurrentHashMap<>();
        Timeline timeline;
        try (Transport counted = counting(new InProcessTransport(MailboxCapacities.of(program)), sent);
             Executor ex = Executor.create(graph, program, ExecutorOptions.defaults(1, 0.1).withTicker(microsPerReading),
                     Set.copyOf(plan.devices()), counted)) {
            ex.step(SyntheticTask.forGraph(graph, 1).batch(0, plan.globalBatchSize()));
            timeline = ex.timeline();
        }
        for (String device : plan.devices()) {
            // each ring collective call ("tp n") sent one message per pass
            Map<String, Integer> passesOfCall = new LinkedHashMap<>();
            sent.get(device).forEach(tag -> passesOfCall.merge(tag.substring(0, tag.lastIndexOf(' ')), 1, Integer::sum));
            List<Integer> calls = new ArrayList<>(passesOfCall.values());
            int next = 0;
            List<Integer> executed = new ArrayList<>();
            List<Integer> lowered = new ArrayList<>();
            Map<String, Integer> byPass = new TreeMap<>();
            for (Span span : timeline.spansOf(device)) {
                if (span.instruction() instanceof TensorCollective tc) {
                    // a pass's span lasts one microsecond per collective call (two clock readings each); the step end's
                    // is as it ran, its one call
                    long callsInPass = tc.atStepEnd() ? 1 : Math.round((span.endSeconds() - span.startSeconds()) * 1e6);
                    executed.add(calls.subList(next, next + (int) callsInPass).stream().mapToInt(Integer::intValue).sum());
                    next += (int) callsInPass;
                    lowered.add(tc.collectives() * tc.ringPasses());
                    byPass.put(tc.atStepEnd() ? "step end" : tc.direction().ordinal() + " mb" + tc.microBatch(), tc.collectives() * tc.ringPasses());
                    assertThat(tc.kind()).isEqualTo(tc.atStepEnd() ? TensorCollective.Kind.ALL_REDUCE
                            : TensorCollective.Kind.REDUCE_SCATTER_ALL_GATHER);
                }
            }
            assertThat(next).as("every call of %s in a pass", device).isEqualTo(calls.size());
            assertThat(byPass.values()).as("the lowering's passes on %s by pass and micro-batch (step end last)", device)
                    .containsExactlyElementsOf(expected);
            assertThat(executed).as("the executor's passes on %s", device).isEqualTo(lowered);
        }
    }

    /** {@code inner}, recording the tag of every tensor-parallel message by its sender. */
    private static Transport counting(Transport inner, Map<String, List<String>> sent) {
        return new ObservedTransport(inner, message -> {
            if (message.key().tag().startsWith("tp ")) {
                sent.computeIfAbsent(message.key().from(), k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(message.key().tag());
            }
        });
    }
}
