package org.modelpar.executor.worker;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.modelpar.executor.Plans;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;

/**
 * What the tests of a launched job share: the small 2-stage gpt they run on two local devices (its tied embedding
 * all-reduced across the stages), a free loopback port for rank 0, and worker processes started as a launcher starts
 * them (the rendezvous in their environment).
 */
final class Launched {
    static final ComputationGraph GRAPH = ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=11");
    static final ClusterSpec CLUSTER = Plans.local(2);
    static final StepProgram PROGRAM = Lowering.lower(GRAPH, CLUSTER, Plans.plan(GRAPH, 2, 1, 2, 2, Schedule.ONE_F_ONE_B,
            OptimizerKind.ADAM));

    private Launched() {
    }

    /** Rank 0 of the run on loopback {@code port}: coordinates it and runs its own worker ({@code ProcessTrainer.coordinate}). */
    static TrainResult coordinate(int port, TrainOptions options, Consumer<StepResult> onStep) {
        Rendezvous rank0 = new Rendezvous("127.0.0.1", port, 0, 2);
        return ProcessTrainer.coordinate(GRAPH, CLUSTER, PROGRAM, options, rank0, "127.0.0.1", onStep);
    }

    /** A loopback port no process holds now. */
    static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    /** A {@link TestWorkerMain} process of {@code rank} in a world of {@code worldSize}, its output to {@code output}. */
    static Process worker(int port, int rank, int worldSize, ProcessBuilder.Redirect output) throws IOException {
        ProcessBuilder b = new ProcessBuilder(LocalWorkers.javaCommand(TestWorkerMain.class.getName(), List.of()))
                .redirectErrorStream(true).redirectOutput(output);
        b.environment().putAll(Map.of("MODELPAR_COORDINATOR", "127.0.0.1:" + port, "MODELPAR_RANK", Integer.toString(rank),
                "MODELPAR_WORLD_SIZE", Integer.toString(worldSize)));
        return b.start();
    }
}
