package org.modelpar.graph;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How big a model is per token: total parameters, the parameters one token passes through (a routed expert,
 * an op of kind {@code moe-expert} with attributes {@code experts} E and {@code topK} k, serves k/E of the
 * tokens; every other op all of them), tokens per sample (the {@code seq} of the graph's embedding ops) and
 * FLOPs per token.
 *
 * @param parameters               parameters of the graph ({@code parameterBytes / 4})
 * @param activeParametersPerToken parameters a token passes through, on average over balanced routing
 * @param tokensPerSample          tokens per sample, if the graph has a token embedding
 * @param forwardFlopsPerSample    forward FLOPs per sample
 * @param backwardFlopsPerSample   backward FLOPs per sample
 */
public record ModelSize(long parameters, double activeParametersPerToken, OptionalLong tokensPerSample,
                        double forwardFlopsPerSample, double backwardFlopsPerSample) {
    /** The sizes of {@code graph}; a graph whose embeddings disagree on the sequence length has none. */
    public static ModelSize of(ComputationGraph graph) {
        double active = 0;
        for (OpNode op : graph.ops()) {
            active += op.parameterCount() * tokenShare(op);
        }
        OptionalLong tokens = graph.ops().stream().filter(op -> op.kind().equals("embedding"))
                .map(op -> op.longAttribute("seq")).flatMap(java.util.Optional::stream).mapToLong(Long::longValue)
                .distinct().reduce((a, b) -> -1);
        return new ModelSize(graph.parameterBytes() / 4, active, tokens.isPresent() && tokens.getAsLong() > 0 ? tokens : OptionalLong.empty(),
                graph.forwardFlopsPerSample(), graph.backwardFlopsPerSample());
    }

    /** The share of a sample's tokens that pass through {@code op}: k/E for a routed expert, else 1. */
    static double tokenShare(OpNode op) {
        if (!op.kind().equals("moe-expert")) {
            return 1;
        }
        long experts = op.longAttribute("experts").orElse(1L);
        long topK = op.longAttribute("topK").orElse(experts);
        return (double) topK / experts;
    }

    /** Forward FLOPs per token, if the tokens per sample are known. */
    public OptionalDouble forwardFlopsPerToken() {
        return perToken(forwardFlopsPerSample);
    }

    /** Forward plus backward FLOPs per token, if the tokens per sample are known. */
    public OptionalDouble trainingFlopsPerToken() {
        return perToken(forwardFlopsPerSample + backwardFlopsPerSample);
    }

    private OptionalDouble perToken(double flops) {
        return tokensPerSample.isPresent() ? OptionalDouble.of(flops / tokensPerSample.getAsLong()) : OptionalDouble.empty();
    }
}
