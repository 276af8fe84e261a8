package org.modelpar.graph.zoo;

/**
 * What follows the last block.
 *
 * @param tied      whether the output projection reuses the word embedding
 * @param bias      whether the output projection has a bias of V
 * @param finalNorm whether a norm precedes the output projection
 * @param maskedLm  BERT's masked-LM transform (dense, GELU, LayerNorm) before the tied output, with a bias of V
 */
public record OutputHead(boolean tied, boolean bias, boolean finalNorm, boolean maskedLm) {
    /** A causal-LM head: final norm, output projection without bias, tied or not. */
    public static OutputHead causal(boolean tied) {
        return new OutputHead(tied, false, true, false);
    }

    /** BERT's masked-LM head. */
    public static OutputHead maskedLanguageModel() {
        return new OutputHead(true, true, false, true);
    }

    public OutputHead withBias(boolean outputBias) {
        return new OutputHead(tied, outputBias, finalNorm, maskedLm);
    }
}
