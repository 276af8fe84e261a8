package org.modelpar.executor.train;

import org.modelpar.executor.Batch;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;

/**
 * A learnable synthetic task. A step's batch is a pure function of the seed and the step index, so a
 * resumed run sees exactly the data of an uninterrupted one.
 */
public interface SyntheticTask {
    /** The batch of a step. */
    Batch batch(int step, int globalBatchSize);

    /** Short description for reports. */
    String describe();

    /**
     * The task for a graph: next-token prediction on {@link SequenceTask} for a graph with an
     * {@code embedding} op, regression onto a {@link TeacherTask} for an {@code mlp}.
     */
    static SyntheticTask forGraph(ComputationGraph graph, long seed) {
        for (OpNode op : graph.ops()) {
            if (op.kind().equals("embedding")) {
                return new SequenceTask(attr(op, "vocab"), attr(op, "seq"), seed);
            }
        }
        OpNode first = graph.topologicalOrder().get(0);
        if (first.kind().equals("linear")) {
            return new TeacherTask(attr(first, "in"), graph.ops().stream().filter(o -> o.kind().equals("mse-loss"))
                    .findFirst().map(o -> attr(o, "width")).orElse(attr(first, "in")), seed);
        }
        throw new GraphException("graph '" + graph.name() + "' is neither a gpt (embedding first) nor an mlp (linear first): "
                + "no synthetic task for it");
    }

    private static int attr(OpNode op, String key) {
        return Math.toIntExact(op.longAttribute(key).orElseThrow(() -> new GraphException("op '" + op.id()
                + "': attribute " + key + " is required")));
    }
}
