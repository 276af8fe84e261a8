package org.modelpar.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.modelpar.simulator.memory.OutOfMemoryEvent;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.plan.PlacementPlan;

/** The {@code simulate --json} document (docs/simulator.md#command-line) of a {@link SimulationReport}. */
public final class ReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ReportJson() {
    }

    public static ObjectNode toJson(SimulationReport r) {
        ObjectNode root = MAPPER.createObjectNode();
        PlacementPlan p = r.plan();
        root.put("graph", p.graphName());
        root.put("cluster", p.clusterName());
        root.put("schedule", p.schedule().jsonName());
        root.put("pipelineStages", p.pipelineStages());
        if (p.virtualStages() > 1) {
            root.put("virtualStages", p.virtualStages());
        }
        root.put("tensorParallel", p.tensorParallel());
        root.put("microBatches", p.microBatches());
        root.put("microBatchSize", p.microBatchSize());
        root.put("globalBatchSize", p.globalBatchSize());
        root.put("stepSeconds", r.stepSeconds());
        root.put("samplesPerSecond", r.samplesPerSecond());
        root.put("tflopsPerDevice", r.tflopsPerDevice());
        root.put("modelTflopsPerDevice", r.modelTflopsPerDevice());
        root.put("bubbleFraction", r.bubbleFraction());
        root.put("exposedCommunicationFraction", r.exposedCommunicationFraction());
        root.put("events", r.events());
        root.put("peakMemoryBytes", r.peakMemoryBytes());
        ObjectNode devices = root.putObject("devices");
        r.devices().forEach((id, d) -> {
            ObjectNode o = devices.putObject(id);
            o.put("stage", d.stage());
            o.put("busyFraction", d.busyFraction());
            o.put("bubbleFraction", d.bubbleFraction());
            o.put("exposedCommunicationFraction", d.exposedCommunicationFraction());
            o.put("peakMemoryBytes", d.peakMemoryBytes());
            o.put("capacityBytes", d.capacityBytes());
            o.set("memory", memory(d.memory()));
        });
        if (r.outOfMemory().isPresent()) {
            OutOfMemoryEvent oom = r.outOfMemory().get();
            ObjectNode o = root.putObject("outOfMemory");
            o.put("device", oom.device());
            o.put("atSeconds", oom.atSeconds());
            o.put("neededBytes", oom.neededBytes());
            o.put("capacityBytes", oom.capacityBytes());
            o.set("memory", memory(oom.breakdown()));
        } else {
            root.putNull("outOfMemory");
        }
        ArrayNode path = root.putArray("criticalPath");
        for (SimulationReport.CriticalStep s : r.criticalPath()) {
            path.addObject().put("device", s.device()).put("instruction", s.instruction())
                    .put("startSeconds", s.startSeconds()).put("endSeconds", s.endSeconds());
        }
        return root;
    }

    static ObjectNode memory(MemoryBreakdown m) {
        return MAPPER.createObjectNode().put("parameters", m.parameters()).put("gradients", m.gradients())
                .put("optimizer", m.optimizer()).put("activations", m.activations()).put("workspace", m.workspace()).put("messages", m.messages());
    }
}
