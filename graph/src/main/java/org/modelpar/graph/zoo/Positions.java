package org.modelpar.graph.zoo;

/** How a transformer encodes token positions; only learned positions and relative biases hold parameters. */
public enum Positions {
    /** A learned table of position vectors added to the token embedding (GPT-2, BERT, OPT). */
    LEARNED,
    /** Rotary embeddings (Su et al., RoFormer, 2021): no parameters. */
    ROTARY,
    /** ALiBi linear biases (Press et al., ICLR'22): no parameters. */
    ALIBI,
    /** T5's learned relative position buckets (Raffel et al., JMLR 2020): a table of buckets x heads. */
    RELATIVE
}
