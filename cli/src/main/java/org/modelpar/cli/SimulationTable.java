package org.modelpar.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.modelpar.simulator.DeviceReport;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Stage;

/** The human-readable form of {@code modelpar simulate}: summary, stages, memory, critical path. */
final class SimulationTable {
    private static final double GIB = 1L << 30;
    private static final int PATH_ROWS = 12;

    private SimulationTable() {
    }

    static void print(SimulationReport r, PrintWriter out) {
        PlacementPlan p = r.plan();
        out.printf(Locale.ROOT, "%s on %s: %s, p=%d%s t=%d, %d micro-batches of %d samples (global batch %d), %s, %s%n%n",
                p.graphName(), p.clusterName(), p.schedule().jsonName(), p.pipelineDegree(),
                p.virtualStages() > 1 ? " v=" + p.virtualStages() : "", p.tensorParallel(),
                p.microBatches(), p.microBatchSize(), p.globalBatchSize(), p.precision().jsonName(), p.optimizer().jsonName());
        out.printf(Locale.ROOT, "step                %.6f s%n", r.stepSeconds());
        out.printf(Locale.ROOT, "throughput          %.2f samples/s%n", r.samplesPerSecond());
        out.printf(Locale.ROOT, "TFLOP/s per device  %.1f executed, %.1f model%n", r.tflopsPerDevice(), r.modelTflopsPerDevice());
        out.printf(Locale.ROOT, "bubble              %.1f %%%n", 100 * r.bubbleFraction());
        out.printf(Locale.ROOT, "exposed comm        %.1f %%%n", 100 * r.exposedCommunicationFraction());
        out.printf(Locale.ROOT, "events              %d%n", r.events());
        out.println(r.outOfMemory().map(o -> String.format(Locale.ROOT,
                "OUT OF MEMORY       device %s at %.6f s needs %.2f GiB of %.2f GiB (params %.2f, grads %.2f, optimizer %.2f, activations %.2f, workspace %.2f, messages %.2f GiB)",
                o.device(), o.atSeconds(), o.neededBytes() / GIB, o.capacityBytes() / GIB, o.breakdown().parameters() / GIB,
                o.breakdown().gradients() / GIB, o.breakdown().optimizer() / GIB, o.breakdown().activations() / GIB,
                o.breakdown().workspace() / GIB, o.breakdown().messages() / GIB)).orElse("memory              fits"));
        out.printf(Locale.ROOT, "%n%-6s %-8s %-7s %7s %8s %10s %10s %10s %10s %10s%n", "stage", "devices", "ops", "busy",
                "exposed", "peak GiB", "params", "grads", "optim", "activ");
        Map<String, DeviceReport> devices = r.devices();
        for (Stage s : p.stages()) {
            DeviceReport d = devices.get(s.devices().get(0));
            out.printf(Locale.ROOT, "%-6d %-8d %-7d %6.1f%% %7.1f%% %10.2f %10.2f %10.2f %10.2f %10.2f%n", s.index(),
                    s.devices().size(), s.ops().size(), 100 * d.busyFraction(), 100 * d.exposedCommunicationFraction(),
                    d.peakMemoryBytes() / GIB, d.memory().parameters() / GIB, d.memory().gradients() / GIB,
                    d.memory().optimizer() / GIB, d.memory().activations() / GIB);
        }
        List<SimulationReport.CriticalStep> path = r.criticalPath();
        out.printf(Locale.ROOT, "%ncritical path (%d instructions, last %d shown):%n", path.size(), Math.min(PATH_ROWS, path.size()));
        for (SimulationReport.CriticalStep s : path.subList(Math.max(0, path.size() - PATH_ROWS), path.size())) {
            out.printf(Locale.ROOT, "  %12.6f %12.6f  %-8s %s%n", s.startSeconds(), s.endSeconds(), s.device(), s.instruction());
        }
    }
}
