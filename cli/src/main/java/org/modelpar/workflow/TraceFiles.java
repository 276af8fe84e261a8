package org.modelpar.workflow;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.InstructionFlops;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.timeline.Timeline;
import org.modelpar.simulator.trace.ChromeTraceWriter;

/**
 * Chrome traces of a plan's steps, as {@code simulate --trace}, {@code train --trace} and {@code run --trace} write
 * them: with the plan's hash (so a report reads a trace only with its own plan) and each compute instruction's executed
 * FLOPs as the simulator counts them ({@link InstructionFlops}), and, when asked, only some devices, for a smaller file.
 */
public final class TraceFiles {
    /** The device selection that keeps one data-parallel replica: {@code replica:R}. */
    public static final String REPLICA = "replica:";

    private TraceFiles() {
    }

    /** The trace's details for {@code plan} of {@code graph}: its hash, and each instruction's FLOPs ({@link InstructionFlops}). */
    public static ChromeTraceWriter.Details details(ComputationGraph graph, PlacementPlan plan) {
        InstructionFlops flops = new InstructionFlops(PlanValidator.validate(plan, graph));
        return new ChromeTraceWriter.Details(PlanJson.contentHash(plan), flops::executed);
    }

    /** The trace as JSON text. */
    public static String json(Timeline timeline, ComputationGraph graph, PlacementPlan plan) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChromeTraceWriter.write(timeline, details(graph, plan), bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes the trace of {@code timeline} to {@code file}, of the devices {@code devices} names: empty for all,
     * {@code replica:R} for data-parallel replica R of every stage (all its tensor ranks), or device ids separated
     * by commas.
     *
     * @throws WorkflowException naming the selection when it names no device of the plan or an unknown one
     */
    public static void write(Path file, Timeline timeline, ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan,
                             String devices) {
        Timeline kept = devices.isEmpty() ? timeline : only(timeline, select(devices, graph, cluster, plan));
        ChromeTraceWriter.write(kept, details(graph, plan), file);
    }

    private static Set<String> select(String devices, ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan) {
        List<DeviceProgram> programs = Lowering.lower(graph, cluster, plan).programs();
        Set<String> chosen = new LinkedHashSet<>();
        if (devices.startsWith(REPLICA)) {
            int replica;
            try {
                replica = Integer.parseInt(devices.substring(REPLICA.length()));
            } catch (NumberFormatException e) {
                throw new WorkflowException("--trace-devices " + devices + ": expected replica:R with R a whole number");
            }
            programs.stream().filter(p -> p.replica() == replica).forEach(p -> chosen.add(p.device()));
        } else {
            Set<String> known = new LinkedHashSet<>();
            programs.forEach(p -> known.add(p.device()));
            for (String d : Arrays.stream(devices.split(",")).map(String::trim).toList()) {
                if (!known.contains(d)) {
                    throw new WorkflowException("--trace-devices " + devices + ": device '" + d + "' is not one of the plan's "
                            + known.size() + " devices");
                }
                chosen.add(d);
            }
        }
        if (chosen.isEmpty()) {
            throw new WorkflowException("--trace-devices " + devices + ": no device of the plan is in data-parallel "
                    + devices + " (replicas are numbered from 0 within each stage)");
        }
        return chosen;
    }

    private static Timeline only(Timeline t, Set<String> devices) {
        return new Timeline(t.source(), t.devices().stream().filter(devices::contains).toList(),
                t.spans().stream().filter(s -> devices.contains(s.device())).toList(),
                t.memory().stream().filter(m -> devices.contains(m.device())).toList(), List.of());
    }
}
