package org.modelpar.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.profile.Calibration;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.PlacementPlan;

/** What {@code train} and {@code run} share to execute a plan on local workers and predict it. */
final class LocalTraining {
    /** Kernel timing repetitions of the calibrated prediction. */
    private static final int CALIBRATION_REPETITIONS = 9;

    private LocalTraining() {
    }

    /** Executor options whose memory budget per device is that device's capacity in the cluster. */
    static ExecutorOptions options(ClusterSpec cluster, long seed, double learningRate) {
        Map<String, Long> budgets = new LinkedHashMap<>();
        for (ClusterDevice d : cluster.devices()) {
            budgets.put(d.id(), d.profile().memoryBytes());
        }
        return ExecutorOptions.defaults(seed, learningRate).withMemoryBudgets(budgets, Long.MAX_VALUE);
    }

    /**
     * The prediction a measurement is compared with: the plan simulated with op times measured by timing
     * the executor's own kernels on this machine (the roofline from the profile alone misses the fixed
     * cost of each small kernel call).
     */
    static SimulationReport calibratedPrediction(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan, long seed) {
        return Simulator.simulate(graph, cluster, plan, SimulationOptions.defaults().withTrace(true)
                .withCostModel(Calibration.of(graph, plan, CALIBRATION_REPETITIONS, seed)));
    }
}
