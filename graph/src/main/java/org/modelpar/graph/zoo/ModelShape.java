package org.modelpar.graph.zoo;

import org.modelpar.graph.ComputationGraph;

/** A model described by its shape: a decoder or encoder stack, or an encoder-decoder. */
public sealed interface ModelShape permits Architecture, EncoderDecoder {
    /** The graph of the model, named {@code name}. */
    ComputationGraph build(String name);

    /** An upper bound on the ops of the graph, to refuse huge models before building them. */
    long opCountBound();

    /** Tokens per sample. */
    int seq();

    /** This model trained on sequences of {@code tokens} tokens. */
    ModelShape withSeq(int tokens);
}
