package org.modelpar.executor.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.Plans;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.train.Trainer;
import org.modelpar.executor.worker.LocalWorkers;
import org.modelpar.executor.worker.ProcessTrainer;
import org.modelpar.executor.worker.TestWorkerMain;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;

/**
 * bench/executor-transport.sh: throughput of a 2-stage 1F1B pipeline run as two worker processes over
 * gRPC on loopback, over the same plan on two worker threads of one process (issue 16 asks for at least
 * 0.9x). Rounds of threads, processes, threads in one run, each round's last threads run the next one's first (threads,
 * processes, threads, processes, ...): each side's step time is the median of its steady steps ({@link
 * TrainResult#measuredStepSeconds}, the second half), a round's ratio is the mean of its two thread runs over its
 * processes run, so a drift of the machine's load hits both alike, and the run prints each round's ratio and their
 * median, least and greatest (a shared machine's load moves one round's ratio by up to 2x). Each side runs warm-up steps first ({@link
 * org.modelpar.executor.train.WarmUp}, the same rule for both): each fresh worker JVM JIT-compiles the executor's,
 * ND4J's and gRPC's Java paths on its own while the threads share one JVM's compiled code, so without it the
 * processes' warm-up is timed against the threads' steady state. The processes compile with C2, as the threads' JVM
 * does ({@link #C2}, the flag a user's {@code MODELPAR_JAVA_OPTS} passes on to the workers), so that the ratio is the
 * transport's; each round also runs the processes as {@code train} starts them by default (C1 alone,
 * {@code LocalWorkers}), and prints that ratio beside it: the compiler's share of the gap. Override with
 * {@code -Dbench.model=..., -Dbench.microBatchSize=..., -Dbench.microBatches=..., -Dbench.steps=..., -Dbench.rounds=...,
 * -Dbench.warmUp=false}.
 */
@Tag("slow")
class TransportCostBenchmark {
    private static final int STEPS = Integer.getInteger("bench.steps", 100);
    private static final int MICRO_BATCHES = Integer.getInteger("bench.microBatches", 8);
    private static final int MICRO_BATCH_SIZE = Integer.getInteger("bench.microBatchSize", 16);
    private static final boolean WARM_UP = Boolean.parseBoolean(System.getProperty("bench.warmUp", "true"));
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final String MODEL = System.getProperty("bench.model", "gpt:layers=4,hidden=64,heads=4,seq=32,vocab=64");
    /** The flag that gives a worker process C2 back; it comes after the workers' own, so it wins. */
    private static final String C2 = "-XX:TieredStopAtLevel=4";

    @Test
    void processesOverThreads() {
        ComputationGraph graph = ModelZoo.build(MODEL);
        PlacementPlan plan = Plans.plan(graph, 2, 1, MICRO_BATCH_SIZE, MICRO_BATCHES, Schedule.ONE_F_ONE_B, OptimizerKind.ADAM);
        ClusterSpec cluster = Plans.local(2);
        StepProgram program = Lowering.lower(graph, cluster, plan);
        TrainOptions options = new TrainOptions(STEPS, ExecutorOptions.defaults(1, 1e-3).withTimeout(Duration.ofSeconds(120)), 1,
                Optional.empty(), Optional.empty()).withWarmUp(WARM_UP);
        List<TrainResult> threads = new ArrayList<>(List.of(Trainer.train(graph, program, options, r -> { })));
        List<String> c1Command = LocalWorkers.javaCommand(TestWorkerMain.class.getName(), List.of());
        List<String> c2Command = new ArrayList<>(c1Command);
        c2Command.add(c2Command.indexOf("-cp"), C2);
        List<TrainResult> processes = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> c1Ratios = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            processes.add(ProcessTrainer.train(graph, cluster, program, options, c2Command, r -> { }));
            TrainResult c1 = ProcessTrainer.train(graph, cluster, program, options, c1Command, r -> { });
            threads.add(Trainer.train(graph, program, options, r -> { }));
            double before = threads.get(round).measuredStepSeconds();
            double after = threads.get(round + 1).measuredStepSeconds();
            double p = processes.get(round).measuredStepSeconds();
            ratios.add((before + after) / 2 / p);
            c1Ratios.add((before + after) / 2 / c1.measuredStepSeconds());
            System.out.printf("BENCH transport round %d: threads %.2f ms, processes over gRPC %.2f ms (C1 alone %.2f ms),"
                    + " threads %.2f ms: processes/threads throughput %.3f (C1 alone %.3f)%n", round + 1, before * 1e3,
                    p * 1e3, c1.measuredStepSeconds() * 1e3, after * 1e3, ratios.get(round), c1Ratios.get(round));
            System.out.printf("BENCH transport round %d warm-up steps (first, last ms): threads %s, processes %s, C1 alone %s%n",
                    round + 1, warmUp(threads.get(round)), warmUp(processes.get(round)), warmUp(c1));
        }
        List<Double> sorted = ratios.stream().sorted().toList();
        System.out.printf("BENCH transport %s, %d x %d samples, 2-stage 1F1B, %d rounds: processes/threads throughput median %.3f"
                        + " (min %.3f, max %.3f) (target >= 0.9); with the workers on C1 alone, as train starts them,"
                        + " median %.3f%n", MODEL, MICRO_BATCHES, MICRO_BATCH_SIZE, ROUNDS,
                median(sorted), sorted.get(0), sorted.get(sorted.size() - 1), median(c1Ratios.stream().sorted().toList()));
        printPhases("threads", threads.get(threads.size() - 1));
        printPhases("processes", processes.get(processes.size() - 1));
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String warmUp(TrainResult r) {
        List<Double> s = r.warmUpSeconds();
        return s.isEmpty() ? "none" : String.format("%d (%.1f, %.1f)", s.size(), s.get(0) * 1e3, s.get(s.size() - 1) * 1e3);
    }

    /** Per device, the steady steps' mean time per step in each kind of instruction (compute, send, receive, ...). */
    private static void printPhases(String side, TrainResult r) {
        Map<String, Double> seconds = new TreeMap<>();
        r.timeline().spans().stream().filter(s -> s.step() >= STEPS / 2).forEach(s -> seconds.merge(
                s.device() + " " + s.instruction().getClass().getSimpleName(), s.endSeconds() - s.startSeconds(), Double::sum));
        System.out.printf("BENCH transport %s, ms per steady step: %s%n", side, seconds.entrySet().stream()
                .map(e -> String.format("%s %.1f", e.getKey(), e.getValue() / (STEPS - STEPS / 2) * 1e3)).toList());
    }
}
