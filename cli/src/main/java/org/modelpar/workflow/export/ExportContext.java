package org.modelpar.workflow.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Stage;

/**
 * What every exporter needs: the plan, its graph, the stages as whole layers, the module naming and the
 * nodes the plan's devices sit on.
 *
 * @param graph       the graph the plan was made for
 * @param plan        the plan
 * @param partition   the plan's stages as layer ranges
 * @param naming      the framework module names of the layers
 * @param slotsByNode the cluster's nodes that hold plan devices, in plan device order, with how many each holds
 */
record ExportContext(ComputationGraph graph, PlacementPlan plan, LayerPartition partition, ModuleNaming naming,
                     Map<String, Integer> slotsByNode) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    ExportContext {
        slotsByNode = Collections.unmodifiableMap(new LinkedHashMap<>(slotsByNode));
    }

    static ExportContext of(ComputationGraph graph, PlacementPlan plan, ClusterSpec cluster) {
        Map<String, String> nodeOf = new LinkedHashMap<>();
        cluster.devices().forEach(d -> nodeOf.put(d.id(), d.node()));
        Map<String, Integer> slots = new LinkedHashMap<>();
        for (String device : plan.devices()) {
            String node = nodeOf.get(device);
            if (node == null) {
                throw new ExportException("plan device '" + device + "' is not a device of cluster '" + cluster.name() + "'");
            }
            slots.merge(node, 1, Integer::sum);
        }
        return new ExportContext(graph, plan, LayerPartition.of(graph, plan), ModuleNaming.of(graph), slots);
    }

    /**
     * Refuses a plan with more than one model chunk per device group: the framework runs one contiguous
     * chunk of layers per pipeline stage.
     */
    void requireOneChunkPerStage(ExportFormat format, String alternative) {
        if (plan.virtualStages() > 1) {
            throw new ExportException("the " + format + " export runs one chunk of layers per pipeline stage, but the plan's "
                    + plan.schedule().jsonName() + " schedule gives each of its " + plan.pipelineDegree() + " device groups "
                    + plan.virtualStages() + " chunks: " + alternative);
        }
    }

    /** The data-parallel degree, which the frameworks need equal on every stage. */
    int dataParallel(ExportFormat format) {
        int d0 = plan.dataParallel(0);
        for (int s = 1; s < plan.pipelineStages(); s++) {
            if (plan.dataParallel(s) != d0) {
                throw new ExportException("stage " + s + " has " + plan.dataParallel(s) + " data-parallel replicas but stage 0 has "
                        + d0 + "; the " + format + " export needs the same data-parallel degree on every stage");
            }
        }
        return d0;
    }

    /** Samples per micro-batch on one data-parallel replica (Megatron's and DeepSpeed's per-GPU micro-batch). */
    int microBatchPerReplica(ExportFormat format) {
        return plan.microBatchSize() / dataParallel(format);
    }

    /** Modules of one stage, in order. */
    List<String> stageModules(int stage) {
        return partition.stageLayers(stage).stream().flatMap(l -> naming.modules(l).stream()).toList();
    }

    /** Indices of the stages that recompute activations. */
    List<Integer> recomputingStages() {
        return plan.stages().stream().filter(Stage::recompute).map(Stage::index).toList();
    }

    /** Stage indices as text, e.g. {@code 0, 2}. */
    static String list(List<Integer> stages) {
        return String.join(", ", stages.stream().map(String::valueOf).toList());
    }

    /**
     * The note for a plan whose schedule splits the backward (ZB-H1) when exported to {@code framework}, which runs
     * 1F1B instead; empty for other schedules.
     */
    Optional<String> splitBackwardNote(String framework) {
        return plan().schedule().splitsBackward()
                ? Optional.of("the plan uses the " + plan().schedule().jsonName() + " schedule (backward split into input- and"
                        + " weight-gradient passes, Qi et al. 2024), which this " + framework + " export does not run: it"
                        + " runs 1F1B, whose pipeline bubble is about three times ZB-H1's, so expect a longer step than planned")
                : Optional.empty();
    }

    /** The {@code source} object naming the graph and cluster of the plan. */
    ObjectNode source() {
        ObjectNode src = JSON.createObjectNode();
        src.put("graph", plan.graphName().isEmpty() ? graph.name() : plan.graphName());
        src.put("graphHash", plan.graphHash());
        src.put("cluster", plan.clusterName());
        src.put("clusterHash", plan.clusterHash());
        return src;
    }

    ObjectNode object() {
        return JSON.createObjectNode();
    }

    static String render(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render export JSON", e);
        }
    }
}
