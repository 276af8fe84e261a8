package org.modelpar.simulator.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/**
 * Issue 14 item 1: on seeded random GPTs cut at random points into pipeline stages, with random tensor degree,
 * sequence parallelism, schedule and a random recompute mode per stage, no device's predicted activation peak
 * is below the Korthikanti bound of what it holds: in-flight micro-batches x (its whole layers' formula stash +
 * the embedding's and the head's when whole on the stage) + the largest recompute of one of its layers.
 */
class ActivationBoundPropertyTest {
    static IntStream seeds() {
        return IntStream.range(0, 60);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void peakActivationsNeverBelowTheFormulaBound(int seed) {
        Random r = new Random(seed);
        int layers = 1 + r.nextInt(4);
        int t = 1 << r.nextInt(3);
        int heads = t * (1 + r.nextInt(3));
        int hidden = heads * 8 * (1 + r.nextInt(3));
        int seq = 8 * (1 + r.nextInt(4));
        int vocab = t * 16 * (1 + r.nextInt(4));
        ComputationGraph g = ModelZoo.build("gpt:layers=" + layers + ",hidden=" + hidden + ",heads=" + heads + ",seq=" + seq
                + ",vocab=" + vocab);
        boolean sp = t > 1 && r.nextBoolean();
        int b = 1 + r.nextInt(4);
        int p = 1 + r.nextInt(3);
        List<OpNode> order = g.topologicalOrder();
        Set<Integer> cutSet = new HashSet<>();
        while (cutSet.size() < p - 1) {
            cutSet.add(1 + r.nextInt(order.size() - 1));
        }
        List<Integer> cuts = new ArrayList<>(cutSet);
        cuts.sort(null);
        cuts.add(order.size());
        ClusterSpec c = Fixtures.freeCluster(p * t);
        List<Stage> stages = new ArrayList<>();
        List<List<OpNode>> opsOf = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < p; i++) {
            List<OpNode> ops = order.subList(from, cuts.get(i));
            opsOf.add(ops);
            List<String> devices = IntStream.range(i * t, (i + 1) * t).mapToObj(d -> "n0g" + d).toList();
            stages.add(new Stage(i, devices, ops.stream().map(OpNode::id).toList(),
                    Recompute.values()[r.nextInt(Recompute.values().length)]));
            from = cuts.get(i);
        }
        int m = 1 + r.nextInt(4);
        Schedule schedule = r.nextBoolean() ? Schedule.GPIPE : Schedule.ONE_F_ONE_B;
        PlacementPlan plan = new PlacementPlan(g.name(), "", c.name(), "", Precision.BF16, OptimizerKind.ADAM, b * m, b, m,
                schedule, t, stages, PlanOptions.NONE.withSequenceParallel(sp));
        var peaks = MemoryModel.perDevice(g, c, plan);
        KorthikantiFormulas k = new KorthikantiFormulas(seq, hidden, heads, vocab, b, t, sp, g.dropout());
        for (int i = 0; i < p; i++) {
            Recompute mode = stages.get(i).recomputation();
            List<OpNode> ops = opsOf.get(i);
            long whole = wholeLayers(ops, layers);
            long stash = whole * k.layer(mode)
                    + (ops.stream().anyMatch(op -> op.id().equals("embed")) ? k.embedding() : 0)
                    + (ops.stream().filter(op -> op.layer().equals("head")).count() == 3 ? k.head() : 0);
            long bound = MemoryModel.maxInFlight(plan, i) * stash + (whole > 0 ? k.recomputed(mode) : 0);
            assertThat(peaks.get("n0g" + i * t).activations()).as("stage %d of %s", i, plan).isGreaterThanOrEqualTo(bound);
        }
    }

    /** Transformer layers all of whose 12 ops are in {@code ops}. */
    private static long wholeLayers(List<OpNode> ops, int layers) {
        return IntStream.range(0, layers).filter(l -> ops.stream().filter(op -> op.layer().equals("block" + l)).count() == 12)
                .count();
    }
}
