package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.ShapeChecks.nonNegative;
import static org.modelpar.graph.zoo.ShapeChecks.positive;

import org.modelpar.graph.GraphException;

/**
 * The input embedding of a transformer.
 *
 * @param vocab            vocabulary size V
 * @param positions        how positions are encoded
 * @param learnedPositions rows of the learned position table (0 unless {@code positions} is LEARNED)
 * @param tokenTypes       rows of the token-type table (BERT's segment embedding; 0 for none)
 * @param norm             whether a LayerNorm follows the embedding (BERT, BLOOM)
 */
public record Embeddings(int vocab, Positions positions, int learnedPositions, int tokenTypes, boolean norm) {
    public Embeddings {
        positive("vocab", vocab);
        nonNegative("learnedPositions", learnedPositions);
        nonNegative("tokenTypes", tokenTypes);
        if ((positions == Positions.LEARNED) != (learnedPositions > 0)) {
            throw new GraphException("learnedPositions must be positive exactly for learned positions, got "
                    + learnedPositions + " with " + positions + " positions");
        }
    }

    /** Token embedding only, positions encoded without parameters. */
    public static Embeddings of(int vocab, Positions positions) {
        return new Embeddings(vocab, positions, 0, 0, false);
    }

    /** Token embedding plus a learned table of {@code rows} positions. */
    public static Embeddings learned(int vocab, int rows) {
        return new Embeddings(vocab, Positions.LEARNED, rows, 0, false);
    }

    public Embeddings withTokenTypes(int rows) {
        return new Embeddings(vocab, positions, learnedPositions, rows, norm);
    }

    public Embeddings withNorm(boolean embeddingNorm) {
        return new Embeddings(vocab, positions, learnedPositions, tokenTypes, embeddingNorm);
    }
}
