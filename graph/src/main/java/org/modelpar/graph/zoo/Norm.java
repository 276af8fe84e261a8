package org.modelpar.graph.zoo;

/** The normalization a transformer uses, with the parameters it holds over a vector of width w. */
public enum Norm {
    /** RMSNorm (Zhang and Sennrich, NeurIPS'19): a scale per channel, w parameters. */
    RMS("rmsnorm", 1),
    /** LayerNorm (Ba et al., 2016): a scale and a shift per channel, 2w parameters. */
    LAYER("layernorm", 2);

    private final String kind;
    private final int parametersPerChannel;

    Norm(String kind, int parametersPerChannel) {
        this.kind = kind;
        this.parametersPerChannel = parametersPerChannel;
    }

    /** The op kind of this norm ({@code rmsnorm} or {@code layernorm}). */
    public String kind() {
        return kind;
    }

    /** Parameters of one norm over {@code width} channels. */
    public long parameters(long width) {
        return parametersPerChannel * width;
    }
}
