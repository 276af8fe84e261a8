package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.ShapeChecks.nonNegative;
import static org.modelpar.graph.zoo.ShapeChecks.positive;

import java.util.Optional;
import org.modelpar.graph.GraphException;

/**
 * A mixture-of-experts feed-forward (Shazeer et al., ICLR'17; Fedus et al., "Switch Transformers", JMLR 2022):
 * a router scores {@code experts} expert MLPs per token and sends it to the best {@code topK}; optional
 * shared experts see every token (DeepSeek-AI, "DeepSeekMoE", 2024).
 *
 * @param experts          routed experts E
 * @param topK             experts per token k
 * @param expert           shape of one routed expert
 * @param shared           shape of the shared experts taken together, if any
 * @param sharedGate       whether a sigmoid gate (a 1-wide projection) scales the shared experts' output (Qwen-MoE)
 * @param firstDenseLayers leading layers that keep a dense MLP ({@code first_k_dense_replace})
 * @param capacityFactor   tokens an expert takes, as a multiple of its balanced share {@code s k / E} (1 = dropless
 *                         with balanced routing)
 */
public record MoeShape(int experts, int topK, MlpShape expert, Optional<MlpShape> shared, boolean sharedGate,
                       int firstDenseLayers, double capacityFactor) {
    public MoeShape {
        positive("experts", experts);
        positive("topK", topK);
        nonNegative("firstDenseLayers", firstDenseLayers);
        if (topK > experts) {
            throw new GraphException("topK " + topK + " must be at most experts " + experts);
        }
        if (!Double.isFinite(capacityFactor) || capacityFactor < 1) {
            throw new GraphException("capacityFactor must be at least 1, got " + capacityFactor);
        }
        if (sharedGate && shared.isEmpty()) {
            throw new GraphException("a shared-expert gate needs shared experts");
        }
    }

    /** Routed experts only, dropless, every layer sparse. */
    public static MoeShape routed(int experts, int topK, MlpShape expert) {
        return new MoeShape(experts, topK, expert, Optional.empty(), false, 0, 1.0);
    }

    public MoeShape withShared(MlpShape sharedExperts, boolean gate) {
        return new MoeShape(experts, topK, expert, Optional.of(sharedExperts), gate, firstDenseLayers, capacityFactor);
    }

    public MoeShape withFirstDenseLayers(int layers) {
        return new MoeShape(experts, topK, expert, shared, sharedGate, layers, capacityFactor);
    }

    public MoeShape withCapacityFactor(double factor) {
        return new MoeShape(experts, topK, expert, shared, sharedGate, firstDenseLayers, factor);
    }

    /** Tokens one expert processes per sample of {@code seq} tokens: {@code capacityFactor * s * k / E}. */
    double tokensPerExpert(long seq) {
        return capacityFactor * seq * topK / experts;
    }
}
