package org.modelpar.solver.partition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * PipeDream's partitioning dynamic program with data-parallel replicas per stage (Narayanan et al.,
 * "PipeDream: Generalized Pipeline Parallelism for DNN Training", SOSP 2019, section 3.1), ported from
 * {@code optimizer_graph_hierarchical.py} for one network level and a chain of blocks.
 *
 * <p>Cost model, for a stage over blocks with compute C (forward + backward) and parameter bytes P on r
 * replicas with bandwidth B: stage time {@code (C + 4 (r-1) P / (B r)) / r}; a boundary after block k with
 * output activation A bytes costs {@code 2 A / (B r)} for the stage on either side of it (forward activation
 * and backward gradient), counted only when {@code countActivations}; the pipeline time is the maximum over
 * stages and boundaries. A straight pipeline uses one replica per stage and exactly {@code machines}
 * stages; otherwise the stage count is free and the replicas sum to {@code machines}.
 */
public final class PipeDreamPartitioner {
    /**
     * Per-block profile.
     *
     * @param computeSeconds  forward + backward seconds per block
     * @param parameterBytes  parameter bytes per block
     * @param activationBytes output activation bytes of each block (the boundary after it)
     */
    public record Profile(double[] computeSeconds, double[] parameterBytes, double[] activationBytes) {
        public Profile {
            if (computeSeconds.length == 0 || computeSeconds.length != parameterBytes.length
                    || computeSeconds.length != activationBytes.length) {
                throw new IllegalArgumentException("profile arrays must be non-empty and of equal length, got "
                        + computeSeconds.length + ", " + parameterBytes.length + ", " + activationBytes.length);
            }
            computeSeconds = computeSeconds.clone();
            parameterBytes = parameterBytes.clone();
            activationBytes = activationBytes.clone();
        }

        int blocks() {
            return computeSeconds.length;
        }
    }

    private PipeDreamPartitioner() {
    }

    /**
     * @param profile          per-block costs
     * @param machines         workers, at least 1
     * @param bandwidth        bytes per second between workers, positive
     * @param straight         one replica per stage, exactly {@code machines} stages
     * @param countActivations whether boundary transfers count (PipeDream's {@code --activation_compression_ratio})
     * @return the best partition with its replicas and pipeline time, or empty when none exists (a straight
     *         pipeline with more machines than blocks)
     */
    public static Optional<ChainPartition> partition(Profile profile, int machines, double bandwidth,
                                                     boolean straight, boolean countActivations) {
        if (machines < 1 || !(bandwidth > 0)) {
            throw new IllegalArgumentException("need machines >= 1 and bandwidth > 0, got " + machines + ", " + bandwidth);
        }
        int n = profile.blocks();
        double[] c = prefix(profile.computeSeconds());
        double[] p = prefix(profile.parameterBytes());
        double[] act = profile.activationBytes();
        // time[j][m]: best pipeline over blocks [0, j] on m + 1 machines (PipeDream's A[0][j][m])
        double[][] time = new double[n][machines];
        int[][] splitBlock = new int[n][machines];
        int[][] lastReplicas = new int[n][machines];
        for (double[] row : time) {
            java.util.Arrays.fill(row, Double.NaN);
        }
        for (int j = 0; j < n; j++) {
            int maxM = straight ? 1 : machines;
            for (int m = 0; m < maxM; m++) {
                time[j][m] = stageTime(c[j + 1], p[j + 1], m + 1, bandwidth);
                splitBlock[j][m] = -1;
                lastReplicas[j][m] = m + 1;
            }
        }
        for (int m = 1; m < machines; m++) {
            for (int j = 1; j < n; j++) {
                double best = time[j][m];
                for (int k = 0; k < j; k++) {
                    int maxReplicas = straight ? 1 : m;
                    for (int r = 1; r <= maxReplicas; r++) {
                        double prefixTime = time[k][m - r];
                        if (Double.isNaN(prefixTime)) {
                            continue;
                        }
                        double stage = stageTime(c[j + 1] - c[k + 1], p[j + 1] - p[k + 1], r, bandwidth);
                        double pipeline = Math.max(prefixTime, stage);
                        if (countActivations) {
                            pipeline = Math.max(pipeline, 2.0 * act[k] / (bandwidth * r));
                            if (j < n - 1) {
                                pipeline = Math.max(pipeline, 2.0 * act[j] / (bandwidth * r));
                            }
                        }
                        if (Double.isNaN(best) || best > pipeline) {
                            best = pipeline;
                            splitBlock[j][m] = k;
                            lastReplicas[j][m] = r;
                        }
                    }
                }
                time[j][m] = best;
            }
        }
        double total = time[n - 1][machines - 1];
        if (Double.isNaN(total)) {
            return Optional.empty();
        }
        List<Integer> boundaries = new ArrayList<>();
        List<Integer> replicas = new ArrayList<>();
        int j = n - 1;
        int m = machines - 1;
        while (true) {
            boundaries.add(j + 1);
            replicas.add(lastReplicas[j][m]);
            int k = splitBlock[j][m];
            if (k < 0) {
                break;
            }
            m -= lastReplicas[j][m];
            j = k;
        }
        boundaries.add(0);
        Collections.reverse(boundaries);
        Collections.reverse(replicas);
        return Optional.of(new ChainPartition(boundaries, replicas, total));
    }

    /** {@code (C + 4 (r-1) P / (B r)) / r}. */
    static double stageTime(double computeSeconds, double parameterBytes, int replicas, double bandwidth) {
        return (computeSeconds + 4.0 * (replicas - 1) * parameterBytes / (bandwidth * replicas)) / replicas;
    }

    private static double[] prefix(double[] values) {
        double[] sums = new double[values.length + 1];
        for (int i = 0; i < values.length; i++) {
            sums[i + 1] = sums[i] + values[i];
        }
        return sums;
    }
}
