package org.modelpar.solver.partition;

import java.util.List;

/**
 * A DAG of tasks to place on devices, as plain arrays (tasks in a topological order).
 *
 * @param computeSeconds task x device seconds (forward + backward of one micro-batch)
 * @param memoryBytes    bytes a task occupies on the device it runs on
 * @param edges          data dependencies, {@code from < to}
 * @param capacityBytes  memory per device
 * @param transfer       seconds to move bytes between two devices
 */
public record DagCosts(double[][] computeSeconds, long[] memoryBytes, List<Edge> edges, long[] capacityBytes,
                       Transfer transfer) {
    /** A dependency carrying {@code bytes} from task {@code from} to task {@code to}. */
    public record Edge(int from, int to, long bytes) {
        public Edge {
            if (from < 0 || to <= from) {
                throw new IllegalArgumentException("edge " + from + " -> " + to + " must go forward in topological order");
            }
        }
    }

    /** Seconds to move bytes between two devices (0 on the same device). */
    @FunctionalInterface
    public interface Transfer {
        double seconds(long bytes, int fromDevice, int toDevice);
    }

    public DagCosts {
        edges = List.copyOf(edges);
        if (computeSeconds.length != memoryBytes.length) {
            throw new IllegalArgumentException("computeSeconds has " + computeSeconds.length + " tasks, memoryBytes "
                    + memoryBytes.length);
        }
        for (Edge e : edges) {
            if (e.to() >= computeSeconds.length) {
                throw new IllegalArgumentException("edge " + e + " refers to task " + e.to() + " of " + computeSeconds.length);
            }
        }
    }

    public int tasks() {
        return computeSeconds.length;
    }

    public int devices() {
        return capacityBytes.length;
    }
}
