package org.modelpar.simulator;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.EfficiencyCurve;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

/**
 * The calibration of the A100's matmul efficiency curve on the single Megatron-LM row allowed
 * (megatron-1.7b: t=1, p=1, d=32 on 32 A100s, global batch 512, micro-batch 16 per replica in one micro-batch,
 * full recomputation, fp16, the gradient all-reduce overlapped with the backward as PyTorch DDP does; 137 TFLOP/s
 * per GPU).
 * The curve keeps the catalog's launch-overhead shape {@code e = emax x t / (t + t0)}, {@code t = FLOPs / peak},
 * {@code t0 = 6 us}; bisection finds the plateau {@code emax} at which the simulator reports 137 TFLOP/s.
 * Run by hand (see docs/simulator.md); it prints the curve points for the catalog file.
 */
public final class Calibration {
    static final double TARGET_TFLOPS = 137;
    static final int REPLICA_MICRO_BATCH = 16;
    static final int MICRO_BATCHES = 1;

    private Calibration() {
    }

    /** The calibration row's plan on the given cluster (dgx-a100:4). */
    static PlacementPlan row(ComputationGraph graph, ClusterSpec cluster) {
        return StageBalancer.plan(graph, cluster, new ParallelConfig(1, 1, 32, MICRO_BATCHES, REPLICA_MICRO_BATCH,
                Schedule.ONE_F_ONE_B, true, Precision.FP16, OptimizerKind.ADAM), new RooflineCostModel())
                .withOptions(PlanOptions.NONE.withOverlapGradientReduce(true));
    }

    static EfficiencyCurve curve(double emax, double peak) {
        List<EfficiencyCurve.Point> points = new ArrayList<>();
        for (int e = 5; e <= 13; e++) {
            double size = Math.pow(10, e);
            double t = size / peak;
            points.add(new EfficiencyCurve.Point(size, new java.math.BigDecimal(emax * t / (t + 6e-6)).round(new java.math.MathContext(4)).doubleValue()));
        }
        return new EfficiencyCurve(points);
    }

    static ClusterSpec withMatmulCurve(ClusterSpec c, EfficiencyCurve curve) {
        List<ClusterDevice> devices = new ArrayList<>();
        for (ClusterDevice d : c.devices()) {
            DeviceProfile p = d.profile();
            devices.add(new ClusterDevice(d.id(), d.node(), new DeviceProfile(p.name(), p.peakFlopsPerSecond(), p.memoryBytes(),
                    p.memoryBandwidthBytesPerSecond(), curve, p.memoryEfficiency(), p.source())));
        }
        return new ClusterSpec(c.name(), devices, c.intraNode(), c.interNode(), c.nodeLinks());
    }

    public static void main(String[] args) {
        ComputationGraph graph = ModelZoo.build("megatron-1.7b");
        ClusterSpec base = Clusters.resolve("dgx-a100:4");
        double peak = base.devices().get(0).profile().peakFlopsPerSecond().get("fp16");
        double lo = 0.3;
        double hi = 1.0;
        for (int i = 0; i < 30; i++) {
            double mid = (lo + hi) / 2;
            ClusterSpec c = withMatmulCurve(base, curve(mid, peak));
            double tflops = Simulator.simulate(graph, c, row(graph, c)).tflopsPerDevice();
            if (tflops < TARGET_TFLOPS) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double emax = Math.round((lo + hi) / 2 * 1e4) / 1e4;
        ClusterSpec c = withMatmulCurve(base, curve(emax, peak));
        SimulationReport r = Simulator.simulate(graph, c, row(graph, c));
        System.out.printf("emax %.4f: %.2f TFLOP/s per GPU (model %.2f), step %.4f s%n", emax, r.tflopsPerDevice(),
                r.modelTflopsPerDevice(), r.stepSeconds());
        StringBuilder json = new StringBuilder("\"matmulEfficiency\" : [ ");
        for (EfficiencyCurve.Point p : curve(emax, peak).points()) {
            json.append(String.format("[ %s, %s ], ", p.size(), p.efficiency()));
        }
        System.out.println(json.substring(0, json.length() - 2) + " ],");
    }
}
