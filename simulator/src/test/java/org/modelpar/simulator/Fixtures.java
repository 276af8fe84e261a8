package org.modelpar.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.EfficiencyCurve;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/** Small hand-built graphs, clusters and plans for tests. */
public final class Fixtures {
    public static final String GPU = "test-gpu";

    private Fixtures() {
    }

    /** A device: 100 TFLOP/s in every dtype, 1 TB/s, flat efficiency 1. */
    public static DeviceProfile device(long memoryBytes) {
        return new DeviceProfile(GPU, Map.of("fp32", 100e12, "bf16", 100e12, "fp16", 100e12), memoryBytes, 1e12,
                EfficiencyCurve.constant(1), EfficiencyCurve.constant(1), "test");
    }

    /** {@code nodes} nodes of {@code perNode} devices named n{i}g{j}. */
    public static ClusterSpec cluster(int nodes, int perNode, LinkProfile intra, LinkProfile inter) {
        return cluster(nodes, perNode, intra, inter, 1L << 40);
    }

    public static ClusterSpec cluster(int nodes, int perNode, LinkProfile intra, LinkProfile inter, long memoryBytes) {
        DeviceProfile p = device(memoryBytes);
        List<ClusterDevice> devices = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            for (int g = 0; g < perNode; g++) {
                devices.add(new ClusterDevice("n" + n + "g" + g, "n" + n, p));
            }
        }
        return new ClusterSpec("test", devices, intra, inter);
    }

    /** A cluster whose links are (nearly) free: huge bandwidth, no latency. */
    public static ClusterSpec freeCluster(int devices) {
        LinkProfile free = new LinkProfile(1e30, 0);
        return cluster(1, devices, free, free);
    }

    /**
     * A chain of {@code n} ops op0..op{n-1}, each measured on {@link #GPU} at {@code forward}/{@code backward}
     * seconds per sample, with {@code activationBytes} stashed and {@code parameterBytes} parameters; tensors
     * of {@code tensorBytes} per sample.
     */
    public static ComputationGraph chain(int n, double forward, double backward, long activationBytes,
                                         long parameterBytes, long tensorBytes) {
        List<OpNode> ops = new ArrayList<>();
        List<TensorEdge> tensors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ops.add(new OpNode("op" + i, "op" + i, "linear", "layer" + i, 0, 0, parameterBytes, activationBytes, 0,
                    Map.of(GPU, new MeasuredTime(forward, backward)), Map.of()));
            if (i > 0) {
                tensors.add(new TensorEdge("t" + i, "op" + (i - 1), "op" + i, tensorBytes));
            }
        }
        return ComputationGraph.of("chain", 1, ops, tensors);
    }

    /** One op per stage, stage i on devices {@code devices[i]}. */
    public static PlacementPlan plan(ComputationGraph g, ClusterSpec c, List<List<String>> devices, int microBatchSize,
                                     int microBatches, Schedule schedule, int t, boolean recompute,
                                     Precision precision, OptimizerKind optimizer) {
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            stages.add(new Stage(i, devices.get(i), List.of(g.ops().get(i).id()), recompute));
        }
        return new PlacementPlan(g.name(), "", c.name(), "", precision, optimizer, microBatchSize * microBatches,
                microBatchSize, microBatches, schedule, t, stages);
    }

    /** p stages of one device each: n0g0, n0g1, ... */
    public static List<List<String>> oneDeviceEach(int p) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            out.add(List.of("n0g" + i));
        }
        return out;
    }

    /**
     * One whole transformer layer, {@code ln1 qkv scores proj add1 ln2 fc1 fc2 add2}: qkv and scores take 0.01 s
     * forward and 0.02 s backward, the residual add {@code add2} the same, the others no time; qkv has
     * {@code qkvParameterBytes} of parameters. Megatron's 2 all-reduces each way carry 1 MB per sample: the outputs
     * of the row-parallel {@code proj} and {@code fc2} forward, the input gradients of the column-parallel
     * {@code qkv} and {@code fc1} backward; {@code add2}'s output is 1 MB per sample.
     */
    public static ComputationGraph transformerLayer(long qkvParameterBytes) {
        String[][] spec = {{"ln1", "layernorm"}, {"qkv", "linear"}, {"scores", "attention-scores"}, {"proj", "linear"},
                {"add1", "residual-add"}, {"ln2", "layernorm"}, {"fc1", "linear"}, {"fc2", "linear"}, {"add2", "residual-add"}};
        List<String> timed = List.of("qkv", "scores", "add2");
        List<String> megabyte = List.of("proj", "fc2", "add2");
        List<OpNode> ops = new ArrayList<>();
        List<TensorEdge> tensors = new ArrayList<>();
        for (String[] op : spec) {
            MeasuredTime time = timed.contains(op[0]) ? new MeasuredTime(0.01, 0.02) : new MeasuredTime(0, 0);
            ops.add(new OpNode(op[0], op[0], op[1], "block0", 0, 0, op[0].equals("qkv") ? qkvParameterBytes : 0,
                    megabyte.contains(op[0]) ? 1_000_000 : 0, 0, Map.of(GPU, time), Map.of()));
            if (ops.size() > 1) {
                String from = ops.get(ops.size() - 2).id();
                tensors.add(new TensorEdge("t" + ops.size(), from, op[0], from.startsWith("ln") ? 1_000_000 : 1));
            }
        }
        return ComputationGraph.of("block", 1, ops, tensors);
    }
}
