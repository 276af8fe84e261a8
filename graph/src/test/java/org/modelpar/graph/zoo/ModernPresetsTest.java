package org.modelpar.graph.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.ModelSize;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.Published;
import org.modelpar.graph.TensorEdge;

/** Today's models in the zoo, with the exact parameter counts of their Hugging Face implementations. */
class ModernPresetsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // Llama 3 8B / 70B: Hub safetensors 8.03B / 70.6B; Llama 3.1 405B: 405.85B (Meta's model card: 405B)
        "llama3-8b, 8030261248, 8.03B, 8.03B",
        "llama3-70b, 70553706496, 70.6B, 70.6B",
        "llama3.1-405b, 405853388800, 405B, 405B",
        // Qwen2.5-72B card: 72.7B in total
        "qwen2.5-72b, 72706203648, 72.7B, 72.7B",
        // Mixtral paper (Jiang et al. 2024): 46.7B total, 12.9B active per token; Mixtral 8x22B (Mistral AI): 141B, 39B active
        "mixtral-8x7b, 46702792704, 46.7B, 12.9B",
        "mixtral-8x22b, 140630071296, 141B, 39B",
        // DeepSeek-V3 card: 671B total, 37B activated (the 14B multi-token-prediction module is not part of it)
        "deepseek-v3, 671026404352, 671B, 37B",
        // T5 paper: 11B; t5-11b on the Hub: 11,307,321,344
        "t5-11b, 11307321344, 11.3B, 11.3B"})
    void presetsHaveTheirPublishedSizes(String name, long parameters, String published, String publishedActive) {
        ModelSize size = ModelSize.of(ModelZoo.build(name));
        assertThat(size.parameters()).isEqualTo(parameters);
        assertThat(Published.matches(parameters, published)).as("%d published as %s", parameters, published).isTrue();
        assertThat(Published.matches(size.activeParametersPerToken(), publishedActive))
                .as("%f active published as %s", size.activeParametersPerToken(), publishedActive).isTrue();
    }

    @Test
    void expertsAreOpsOfTheirOwnAndEveryExpertHoldsItsParameters() {
        ComputationGraph g = ModelZoo.build("mixtral-8x7b");
        long h = 4096;
        long f = 14336;
        long s = 4096;
        OpNode router = g.op("block0.router").orElseThrow();
        assertThat(router.kind()).isEqualTo("moe-router");
        assertThat(router.parameterCount()).isEqualTo(h * 8);
        for (int j = 0; j < 8; j++) {
            OpNode expert = g.op("block0.expert" + j).orElseThrow();
            assertThat(expert.kind()).isEqualTo("moe-expert");
            assertThat(expert.parameterCount()).isEqualTo(3 * h * f);
            // each expert takes s k / E = 1024 tokens: forward 2 x 1024 x 3 h f
            assertThat(expert.forwardFlops()).isEqualTo(2.0 * 1024 * 3 * h * f);
            // dispatch (all-to-all in) and combine (all-to-all out) carry 1024 tokens of h fp32 values
            TensorEdge dispatch = g.incoming(expert.id()).stream().filter(t -> t.from().equals("block0.ln2")).findFirst().orElseThrow();
            assertThat(dispatch.bytes()).isEqualTo(4L * 1024 * h);
            assertThat(g.outgoing(expert.id())).singleElement().satisfies(t -> {
                assertThat(t.to()).isEqualTo("block0.combine");
                assertThat(t.bytes()).isEqualTo(4L * 1024 * h);
            });
        }
        assertThat(g.op("block0.combine").orElseThrow().activationBytes()).isEqualTo(4L * s * h);
        // active per token: everything but the experts, plus 2 of the 8 experts in each of the 32 layers
        long experts = 32L * 8 * 3 * h * f;
        assertThat(ModelSize.of(g).activeParametersPerToken()).isEqualTo(46_702_792_704L - experts + experts / 4);
        assertThat(46_702_792_704L - experts + experts / 4).isEqualTo(12_879_925_248L);
    }

    @Test
    void forwardFlopsPerTokenAreTwiceTheActiveMatmulParametersPlusAttention() {
        // Kaplan et al. 2020, "Scaling Laws for Neural Language Models", Table 1: C_forward = 2N + 2 n_layer n_ctx d_attn
        // per token for causal attention; the graph counts the full s x s products, so 4 n_layer s d_attn.
        for (String name : new String[] {"llama3-8b", "mixtral-8x7b", "qwen2.5-72b"}) {
            ComputationGraph g = ModelZoo.build(name);
            ModelSize size = ModelSize.of(g);
            long s = size.tokensPerSample().orElseThrow();
            // N counts matrix weights only: not embeddings, norms or biases
            double notMatmul = g.ops().stream().filter(op -> !op.kind().equals("linear") && !op.kind().equals("swiglu")
                    && !op.kind().startsWith("moe-") && !op.kind().equals("logits")).mapToLong(OpNode::parameterCount).sum()
                    + g.ops().stream().filter(op -> op.kind().equals("linear"))
                    .mapToLong(op -> op.parameterCount() - op.longAttribute("in").orElseThrow() * op.longAttribute("out").orElseThrow()).sum();
            long layers = g.ops().stream().filter(op -> op.kind().equals("attention-scores")).count();
            OpNode scores = g.op("block0.scores").orElseThrow();
            long dAttn = scores.longAttribute("heads").orElseThrow() * scores.longAttribute("headDim").orElseThrow();
            double expected = 2 * (size.activeParametersPerToken() - notMatmul) + 4.0 * layers * s * dAttn;
            assertThat(size.forwardFlopsPerToken().orElseThrow()).as(name).isCloseTo(expected, within(expected * 1e-12));
        }
    }

    @Test
    void sequenceLengthOfAPresetCanChange() {
        ComputationGraph g = ModelZoo.build("llama3-8b", OptionalInt.of(8192));
        assertThat(ModelSize.of(g).tokensPerSample()).hasValue(8192);
        assertThat(g.name()).isEqualTo("llama3-8b");
        assertThat(g.parameterBytes()).isEqualTo(ModelZoo.build("llama3-8b").parameterBytes());
        assertThatThrownBy(() -> ModelZoo.build("gpt2-small", OptionalInt.of(2048)))
                .hasMessage("model 'gpt2-small': seq 2048 exceeds the 1024 learned positions");
        assertThatThrownBy(() -> ModelZoo.build("resnet50", OptionalInt.of(2048)))
                .hasMessage("model 'resnet50' has no sequence length (--seq-len applies to transformers)");
    }
}
