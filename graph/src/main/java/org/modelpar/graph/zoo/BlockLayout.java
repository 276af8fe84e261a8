package org.modelpar.graph.zoo;

/** Where a transformer block puts its norms and residual adds around attention and the MLP. */
public enum BlockLayout {
    /** {@code x + attn(ln1(x))}, then {@code y + mlp(ln2(y))} (GPT-2, LLaMA). */
    PRE_NORM,
    /** {@code ln1(x + attn(x))}, then {@code ln2(y + mlp(y))} (BERT). */
    POST_NORM,
    /** {@code x + attn(ln1(x)) + mlp(ln1(x))}: one norm feeds both branches (GPT-J, Phi-2, Falcon-7B). */
    PARALLEL_SHARED_NORM,
    /** {@code x + attn(ln1(x)) + mlp(ln2(x))}: each branch has its norm (GPT-NeoX, Falcon-40B). */
    PARALLEL,
    /** Pre-norm plus a norm on each branch's output before the add (Gemma 2: four norms per block). */
    SANDWICH,
    /** {@code x + ln1(attn(x))}, then {@code y + ln2(mlp(y))}: norms on the branch outputs only (OLMo 2). */
    OUTPUT_NORM;

    /** Norms per block of this layout. */
    int norms() {
        return switch (this) {
            case PARALLEL_SHARED_NORM -> 1;
            case SANDWICH -> 4;
            default -> 2;
        };
    }
}
