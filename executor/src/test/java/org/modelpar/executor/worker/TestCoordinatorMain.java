package org.modelpar.executor.worker;

import java.util.List;
import java.util.Optional;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.Plans;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.Lowering;

/**
 * Rank 0 of a launched job for the tests, in a process of its own (the cli's {@code modelpar worker --plan} does the
 * same): coordinates the small 2-stage gpt on loopback port {@code args[0]} for {@code args[1]} steps, printing
 * {@code step N} as each ends.
 */
public final class TestCoordinatorMain {
    private TestCoordinatorMain() {
    }

    public static void main(String[] args) {
        ComputationGraph graph = ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=11");
        ClusterSpec cluster = Plans.local(2);
        TrainOptions options = new TrainOptions(Integer.parseInt(args[1]), ExecutorOptions.defaults(3, 1e-2), 9, Optional.empty(),
                Optional.empty());
        ProcessTrainer.coordinate(graph, cluster, Lowering.lower(graph, cluster, Plans.plan(graph, 2, 1, 2, 2, Schedule.ONE_F_ONE_B,
                OptimizerKind.ADAM)), options, new Rendezvous("127.0.0.1", Integer.parseInt(args[0]), 0, 2), "127.0.0.1",
                r -> System.out.println("step " + r.step()));
        System.exit(0);
    }
}
