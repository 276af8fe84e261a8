package org.modelpar.simulator.engine;

import java.lang.management.ManagementFactory;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.ParallelConfig;
import org.modelpar.simulator.StageBalancer;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.*;
import org.modelpar.simulator.program.Lowering;

public final class EngineProbe {
    public static void main(String[] args) {
        var cpu = ManagementFactory.getThreadMXBean();
        ComputationGraph graph = ModelZoo.build("megatron-1t");
        ClusterSpec cluster = Clusters.resolve("dgx-a100:384");
        ParallelConfig config = new ParallelConfig(64, 8, 6, 512, 1, Schedule.ONE_F_ONE_B, Recompute.FULL, Precision.FP16, OptimizerKind.ADAM, 1);
        PlacementPlan plan = StageBalancer.plan(graph, cluster, config, new RooflineCostModel()).withOptions(new PlanOptions(false, true, false));
        PlanLayout layout = PlanValidator.validate(plan, graph, cluster);
        var program = Lowering.lower(layout);
        long t0 = cpu.getCurrentThreadCpuTime();
        CompiledProgram c = Compiler.compile(program, layout, cluster, new RooflineCostModel());
        long t1 = cpu.getCurrentThreadCpuTime();
        for (int r = 1; r < Integer.parseInt(args[1]); r++) {
            t0 = cpu.getCurrentThreadCpuTime();
            c = Compiler.compile(program, layout, cluster, new RooflineCostModel());
            t1 = cpu.getCurrentThreadCpuTime();
            System.out.printf("compile %.2f%n", (t1 - t0) / 1e9);
        }
        int[] kinds = new int[6];
        for (int g = 0; g < c.count; g++) kinds[c.kind[g]]++;
        System.out.printf("compile %.2f s; %d instructions, kinds %s, collectives %d%n", (t1 - t0) / 1e9, c.count, java.util.Arrays.toString(kinds), c.collectiveCount);
        for (int r = 0; r < Integer.parseInt(args[0]); r++) {
            long a = cpu.getCurrentThreadCpuTime();
            long ev = Engine.run(c, false).events();
            System.out.printf("loop+result %.2f s, %d events%n", (cpu.getCurrentThreadCpuTime() - a) / 1e9, ev);
        }
    }
}
