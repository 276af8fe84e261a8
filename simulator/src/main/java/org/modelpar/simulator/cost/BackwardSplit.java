package org.modelpar.simulator.cost;

import org.modelpar.graph.OpNode;

/**
 * How an op's backward splits into its input-gradient part (B) and its weight-gradient part (W), for
 * schedules that run them apart (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR 2024, section 2). The
 * backward of a matrix product {@code y = x W} is two products of the forward's size, {@code dx = dy W^T} (B)
 * and {@code dW = x^T dy} (W). So an op with parameters gives W its forward FLOPs (at most its backward FLOPs)
 * and B the rest; an op without parameters is all B. An op whose weight is tied to another op's ({@code tiedTo}, GPT's
 * logits reusing the word embedding) has that weight's gradient to compute, so it counts as having parameters here.
 * Between its B and its W a micro-batch keeps, for each op with parameters, only what W reads: the op's output
 * gradient (the {@code dy} of {@code dW = x^T dy}) and its inputs (the {@code x}); the rest of the forward's stash
 * dies with B ({@link org.modelpar.simulator.plan.StageActivations#weightInputs}).
 */
public final class BackwardSplit {
    private BackwardSplit() {
    }

    /** Whether the op has a weight-gradient pass, which keeps its output gradient from B until W runs. */
    public static boolean hasWeightGradient(OpNode op) {
        return op.parameterBytes() > 0 || op.attributes().containsKey("tiedTo");
    }

    /** Weight-gradient FLOPs per sample of {@code op}. */
    public static double weightGradientFlops(OpNode op) {
        return hasWeightGradient(op) ? Math.min(op.forwardFlops(), op.backwardFlops()) : 0;
    }

    /** The share of the op's backward that is its weight gradient (0 for a backward without FLOPs). */
    public static double weightGradientShare(OpNode op) {
        return op.backwardFlops() > 0 ? weightGradientFlops(op) / op.backwardFlops() : 0;
    }
}
