package org.modelpar.graph.zoo;

/**
 * The MLP's activation. A gated one (Shazeer, "GLU Variants Improve Transformer", 2020) has a gate and an up
 * projection, three matrices in all; the others two.
 */
public enum Activation {
    GELU("gelu", false),
    RELU("relu", false),
    /** SiLU-gated (LLaMA, Mistral, Qwen). */
    SWIGLU("swiglu", true),
    /** GELU-gated (Gemma, T5 v1.1). */
    GEGLU("geglu", true);

    private final String kind;
    private final boolean gated;

    Activation(String kind, boolean gated) {
        this.kind = kind;
        this.gated = gated;
    }

    /** The op kind: for a gated activation the fused gate and up projection, else the elementwise op. */
    public String kind() {
        return kind;
    }

    public boolean gated() {
        return gated;
    }

    /** Weight matrices of an MLP with this activation: 3 gated, 2 otherwise. */
    int matrices() {
        return gated ? 3 : 2;
    }
}
