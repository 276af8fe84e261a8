package org.modelpar.simulator.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.DurationNoise;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.program.StepProgram;

/**
 * Engine throughput: events per second of the event loop alone (compiling excluded), on one thread, as
 * this thread's CPU time. Baseline in the same run: a bare loop pushing and popping the same number of
 * events through the same heap with no work per event, which bounds what any engine built on it can reach.
 */
public final class EngineBench {
    private EngineBench() {
    }

    /** Prints events/s of the loop and its ratio to the 2 M/s target and to the bare-heap baseline. */
    public static void report(StepProgram program, PlanLayout layout, ClusterSpec cluster, int reps) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        CompiledProgram compiled = Compiler.compile(program, layout, cluster, new RooflineCostModel(), java.util.Map.of(), DurationNoise.NONE);
        double best = Double.MAX_VALUE;
        long events = 0;
        for (int r = 0; r < reps; r++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            events = Engine.run(compiled, false).events();
            best = Math.min(best, (cpu.getCurrentThreadCpuTime() - t0) / 1e9);
        }
        double baseline = Double.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            bareHeap(events, 4096);
            baseline = Math.min(baseline, (cpu.getCurrentThreadCpuTime() - t0) / 1e9);
        }
        double rate = events / best;
        System.out.printf("engine loop: %d events in %.3f s CPU = %.2f M events/s; ratio to the 2 M/s target %.2f; "
                + "bare-heap baseline %.2f M events/s, engine/baseline %.2f%n", events, best, rate / 1e6, rate / 2e6,
                events / baseline / 1e6, rate / (events / baseline));
    }

    /** Pushes and pops {@code events} events keeping {@code pending} in the heap, as a simulation does. */
    static long bareHeap(long events, int pending) {
        EventQueue q = new EventQueue();
        SplittableRandom random = new SplittableRandom(42);
        double now = 0;
        long sum = 0;
        for (int i = 0; i < pending; i++) {
            q.push(random.nextDouble(), i);
        }
        for (long i = 0; i < events; i++) {
            now = q.peekTime();
            sum += q.pop();
            q.push(now + random.nextDouble(), i);
        }
        return sum;
    }
}
