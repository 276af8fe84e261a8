package org.modelpar.simulator;

import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.engine.Engine;
import org.modelpar.simulator.engine.StepRun;
import org.modelpar.simulator.timeline.TimelineStats;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;

/**
 * Benchmarks (run by bench/simulator.sh): engine events per second, and one 1F1B step of GPT-3 175B
 * (t=8, p=16, d=12 on dgx-a100:192, global batch 1536, micro-batch 1 per replica) end to end. Prints each
 * figure as a ratio to its target, measured in the same run; best of several repetitions after warm-up. Then one
 * step of megatron-1t on 3,072 GPUs.
 */
public final class SimulatorBench {
    private SimulatorBench() {
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        ComputationGraph gpt3 = ModelZoo.build("gpt3-175b");
        ClusterSpec cluster = Clusters.resolve("dgx-a100:192");
        ParallelConfig config = new ParallelConfig(16, 8, 12, 128, 1, Schedule.ONE_F_ONE_B, true, Precision.BF16, OptimizerKind.ADAM);
        PlacementPlan plan = StageBalancer.plan(gpt3, cluster, config, new RooflineCostModel());
        PlanLayout layout = PlanValidator.validate(plan, gpt3, cluster);
        double bestWall = Double.MAX_VALUE;
        double bestTotal = Double.MAX_VALUE;
        double bestLower = 0;
        double bestEngine = 0;
        StepRun result = null;
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = 0; r < reps; r++) {
            long w0 = System.nanoTime();
            long t0 = cpu.getCurrentThreadCpuTime();
            StepProgram program = Lowering.lower(layout);
            long t1 = cpu.getCurrentThreadCpuTime();
            result = Engine.run(program, layout, cluster, new RooflineCostModel(), false);
            long t2 = cpu.getCurrentThreadCpuTime();
            bestWall = Math.min(bestWall, (System.nanoTime() - w0) / 1e9);
            double total = (t2 - t0) / 1e9;
            if (total < bestTotal) {
                bestTotal = total;
                bestLower = (t1 - t0) / 1e9;
                bestEngine = (t2 - t1) / 1e9;
            }
        }
        System.out.printf("gpt3-175b 1f1b t=8 p=16 d=12 on %d devices: %d instructions, %d events, simulated step %.3f s%n",
                result.devices().size(), result.timeline().spans().size(), result.events(), TimelineStats.of(result.timeline()).stepSeconds());
        System.out.printf("  CPU time: lowering %.3f s + engine (compile + loop) %.3f s = %.3f s; ratio to the 1 s target: %.2f"
                + " (below 1 is better); wall clock %.3f s (GC threads included; load average shown by uptime)%n",
                bestLower, bestEngine, bestTotal, bestTotal / 1.0, bestWall);
        org.modelpar.simulator.engine.EngineBench.report(Lowering.lower(layout), layout, cluster, reps);
        SimulationReport report = Simulator.simulate(gpt3, cluster, plan);
        System.out.printf("  samples/s %.1f, TFLOP/s per GPU %.1f (model %.1f), bubble %.3f, peak memory %.1f GiB%n",
                report.samplesPerSecond(), report.tflopsPerDevice(), report.modelTflopsPerDevice(), report.bubbleFraction(),
                report.peakMemoryBytes() / (double) (1L << 30));
        megatronOneT(reps);
    }

    /**
     * One step of megatron-1t as Megatron-LM ran it (t=8, p=64, d=6 on dgx-a100:384, 512 micro-batches of 1,
     * full recomputation, scatter/gather, 1F1B): {@link Simulator#simulate} (validation, lowering, engine,
     * report; tensor rank 0 only, {@link TensorRankSymmetry}) as this thread's CPU time and as wall time, against the
     * 5 s target; and, for scale in the same run, validation, lowering and engine of every device.
     */
    private static void megatronOneT(int reps) {
        ComputationGraph graph = ModelZoo.build("megatron-1t");
        ClusterSpec cluster = Clusters.resolve("dgx-a100:384");
        ParallelConfig config = new ParallelConfig(64, 8, 6, 512, 1, Schedule.ONE_F_ONE_B, Recompute.FULL,
                Precision.FP16, OptimizerKind.ADAM, 1);
        PlacementPlan plan = StageBalancer.plan(graph, cluster, config, new RooflineCostModel())
                .withOptions(new PlanOptions(false, true, false));
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        double bestCpu = Double.MAX_VALUE;
        double bestWall = Double.MAX_VALUE;
        SimulationReport report = null;
        for (int r = 0; r < Math.min(reps, 3); r++) {
            long w0 = System.nanoTime();
            long t0 = cpu.getCurrentThreadCpuTime();
            report = Simulator.simulate(graph, cluster, plan);
            bestCpu = Math.min(bestCpu, (cpu.getCurrentThreadCpuTime() - t0) / 1e9);
            bestWall = Math.min(bestWall, (System.nanoTime() - w0) / 1e9);
        }
        System.out.printf("megatron-1t t=8 p=64 d=6 on 3072 devices: %d events, simulated step %.3f s; simulate CPU %.2f s,"
                + " ratio to the 5 s target %.2f; wall %.2f s%n", report.events(), report.stepSeconds(), bestCpu,
                bestCpu / 5.0, bestWall);
        long t0 = cpu.getCurrentThreadCpuTime();
        PlanLayout layout = PlanValidator.validate(plan, graph, cluster);
        StepRun full = Engine.run(Lowering.lower(layout), layout, cluster, new RooflineCostModel(), false);
        System.out.printf("  every device: %d instructions, %d events, simulated step %.3f s; validation, lowering and"
                + " engine CPU %.2f s (%.1f x the representative run)%n", full.timeline().spans().size(), full.events(),
                TimelineStats.of(full.timeline()).stepSeconds(), (cpu.getCurrentThreadCpuTime() - t0) / 1e9,
                (cpu.getCurrentThreadCpuTime() - t0) / 1e9 / bestCpu);
    }
}
