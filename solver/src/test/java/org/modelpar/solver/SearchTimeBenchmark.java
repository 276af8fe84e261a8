package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.Clusters;

/** Search time of GPT-3 175B on 192 DGX A100 nodes (1,536 GPUs); target: within 60 s on 2 cores. */
@Tag("slow")
class SearchTimeBenchmark {
    @Test
    void gpt3On192Nodes() throws Exception {
        ComputationGraph graph = ModelZoo.build("gpt3-175b");
        long start = System.nanoTime();
        long cpuStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        PlanResult r = new Planner().plan(graph, Clusters.resolve("dgx-a100:192"),
                PlanRequest.of(1536).withSearch(0, java.time.Duration.ofSeconds(55)));
        double seconds = (System.nanoTime() - start) * 1e-9;
        double cpu = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) * 1e-9;
        System.out.printf("BENCH search-time gpt3-175b dgx-a100:192: %.1f s (ratio to 60 s budget %.3f; %.1f s on this"
                        + " thread's CPU, load average %s), %d configurations, %s, %.1f samples/s, completed=%s%n", seconds,
                seconds / 60, cpu, java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0],
                r.configurationsTried(),
                r.best().explanation().lines().get(0), r.report().samplesPerSecond(), r.completed());
        assertThat(seconds).isLessThan(60);
    }
}
