package org.modelpar.graph.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

class ModelZooTest {
    /** name, layers l, hidden h, heads, sequence s, vocabulary V of every Megatron-style GPT preset. */
    static Stream<Arguments> gptPresets() {
        return Stream.of(
                Arguments.of("gpt-tiny", 4, 64, 4, 32, 64),
                Arguments.of("gpt2-small", 12, 768, 12, 1024, 50257),
                Arguments.of("gpt2-medium", 24, 1024, 16, 1024, 50257),
                Arguments.of("gpt2-large", 36, 1280, 20, 1024, 50257),
                Arguments.of("gpt2-xl", 48, 1600, 25, 1024, 50257),
                Arguments.of("gpt3-175b", 96, 12288, 96, 2048, 51200),
                Arguments.of("megatron-1.7b", 24, 2304, 24, 2048, 51200),
                Arguments.of("megatron-3.6b", 30, 3072, 32, 2048, 51200),
                Arguments.of("megatron-7.5b", 36, 4096, 32, 2048, 51200),
                Arguments.of("megatron-18b", 40, 6144, 48, 2048, 51200),
                Arguments.of("megatron-39b", 48, 8192, 64, 2048, 51200),
                Arguments.of("megatron-76b", 60, 10240, 80, 2048, 51200),
                Arguments.of("megatron-145b", 80, 12288, 96, 2048, 51200),
                Arguments.of("megatron-310b", 96, 16384, 128, 2048, 51200),
                Arguments.of("megatron-530b", 105, 20480, 128, 2048, 51200),
                Arguments.of("megatron-1t", 128, 25600, 160, 2048, 51200),
                Arguments.of("gpt:layers=3,hidden=48,heads=6,seq=20,vocab=100", 3, 48, 6, 20, 100));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gptPresets")
    void megatronParameterCountIsExact(String name, long l, long h, int heads, long s, long v) {
        ComputationGraph g = ModelZoo.build(name);
        // 12 l h^2 (1 + 13/(12h) + (V+s)/(12 l h)) + 2h, multiplied out to stay in integers
        long expected = 12 * l * h * h + 13 * l * h + (v + s) * h + 2 * h;
        assertThat(g.parameterBytes() / 4).isEqualTo(expected);
        assertThat(g.parameterBytes() % 4).isZero();
        assertThat(g.name()).isEqualTo(name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gptPresets")
    void megatronFlopsMatchThePaper(String name, double l, double h, int heads, double s, double v) {
        ComputationGraph g = ModelZoo.build(name);
        double expected = 72 * s * l * h * h * (1 + s / (6 * h) + v / (12 * l * h));
        double actual = g.forwardFlopsPerSample() + g.backwardFlopsPerSample();
        assertThat(actual / expected).isCloseTo(1.0, within(0.01));
        assertThat(g.backwardFlopsPerSample()).isEqualTo(2 * g.forwardFlopsPerSample());
    }

    @Test
    void gpt3Has174Point6BillionParametersAndTheContractOps() {
        ComputationGraph g = ModelZoo.build("gpt3-175b");
        assertThat(g.parameterBytes() / 4).isEqualTo(174_615_846_912L);
        assertThat(g.opCount()).isEqualTo(1 + 96 * 12 + 3);
        OpNode scores = g.op("block0.scores").orElseThrow();
        assertThat(scores.kind()).isEqualTo("attention-scores");
        assertThat(scores.activationBytes()).isEqualTo(4L * 96 * 2048 * 2048);
        assertThat(scores.attributes()).containsEntry("heads", "96").containsEntry("headDim", "128").containsEntry("seq", "2048");
        assertThat(g.op("logits").orElseThrow().attributes()).containsEntry("tiedTo", "embed");
        assertThat(g.incoming("block1.ln1")).extracting(TensorEdge::from).containsExactly("block0.add2");
        assertThat(g.incoming("block3.add1")).extracting(TensorEdge::from).containsExactlyInAnyOrder("block2.add2", "block3.proj");
        assertThat(g.incoming("block0.context")).extracting(TensorEdge::from).containsExactlyInAnyOrder("block0.softmax", "block0.qkv");
    }

    @Test
    void gptTinyFollowsTheOpKindContract() {
        ComputationGraph g = ModelZoo.build("gpt-tiny");
        List<String> block = g.ops().stream().filter(o -> o.layer().equals("block0")).map(OpNode::id).toList();
        assertThat(block).containsExactly("block0.ln1", "block0.qkv", "block0.scores", "block0.softmax", "block0.context",
                "block0.proj", "block0.add1", "block0.ln2", "block0.fc1", "block0.gelu", "block0.fc2", "block0.add2");
        OpNode qkv = g.op("block0.qkv").orElseThrow();
        assertThat(qkv.attributes()).containsEntry("in", "64").containsEntry("out", "192").containsEntry("tokens", "32");
        assertThat(qkv.forwardFlops()).isEqualTo(2.0 * 32 * 64 * 192);
        assertThat(qkv.parameterBytes()).isEqualTo(4L * (64 * 192 + 192));
        assertThat(g.op("embed").orElseThrow().parameterBytes()).isEqualTo(4L * (64 + 32) * 64);
        assertThat(g.op("loss").orElseThrow().kind()).isEqualTo("cross-entropy");
        assertThat(g.topologicalOrder().get(0).id()).isEqualTo("embed");
    }

    @Test
    void llamaPresetsHaveTheirPublishedSizes() {
        ComputationGraph l7 = ModelZoo.build("llama2-7b");
        assertThat(l7.parameterBytes() / 4).isEqualTo(6_738_415_616L);
        ComputationGraph l70 = ModelZoo.build("llama2-70b");
        assertThat(l70.parameterBytes() / 4).isEqualTo(68_976_648_192L);
        OpNode scores = l70.op("block0.scores").orElseThrow();
        assertThat(scores.attributes()).containsEntry("kvHeads", "8").containsEntry("heads", "64");
        assertThat(l70.op("block0.ln1").orElseThrow().kind()).isEqualTo("rmsnorm");
        assertThat(l70.op("block0.swiglu").orElseThrow().attributes()).containsEntry("intermediate", "28672");
        assertThat(l70.op("logits").orElseThrow().attributes()).doesNotContainKey("tiedTo");
    }

    @Test
    void bertLargeHas335MillionParameters() {
        assertThat(ModelZoo.build("bert-large").parameterBytes() / 4).isEqualTo(335_174_458L);
    }

    @Test
    void cnnsHaveTorchvisionParameterCounts() {
        assertThat(ModelZoo.build("resnet50").parameterBytes() / 4).isEqualTo(25_557_032L);
        assertThat(ModelZoo.build("vgg16").parameterBytes() / 4).isEqualTo(138_357_544L);
        assertThat(ModelZoo.build("inception-v3").parameterBytes() / 4).isEqualTo(23_834_568L);
        // VGG-16: 15.47 G multiply-adds forward; ResNet-50: 4.09 G
        assertThat(ModelZoo.build("vgg16").forwardFlopsPerSample() / 2e9).isCloseTo(15.47, within(0.05));
        assertThat(ModelZoo.build("resnet50").forwardFlopsPerSample() / 2e9).isCloseTo(4.09, within(0.05));
        assertThat(ModelZoo.build("inception-v3").forwardFlopsPerSample() / 2e9).isCloseTo(5.71, within(0.06));
        ComputationGraph inception = ModelZoo.build("inception-v3");
        assertThat(inception.incoming("Mixed_7c.concat")).hasSize(6);
        assertThat(inception.op("Mixed_7c.concat").orElseThrow().activationBytes()).isEqualTo(4L * 2048 * 8 * 8);
    }

    @Test
    void mlpSmallFollowsTheContract() {
        ComputationGraph g = ModelZoo.build("mlp-small");
        assertThat(g.ops()).extracting(OpNode::id).containsExactly("fc0", "relu0", "fc1", "relu1", "fc2", "relu2",
                "fc3", "relu3", "fc4", "loss");
        assertThat(g.parameterBytes()).isEqualTo(4L * 5 * (256 * 256 + 256));
        assertThat(ModelZoo.build("mlp:layers=8,width=1024").opCount()).isEqualTo(9 + 8 + 1);
    }

    @Test
    void randomDagIsSeededLayeredAndConnected() {
        ComputationGraph g = ModelZoo.build("dag:ops=1000,seed=7,width=10");
        assertThat(g.name()).isEqualTo("dag:ops=1000,seed=7,width=10");
        assertThat(g.opCount()).isEqualTo(1000);
        assertThat(g.op("op999").orElseThrow().layer()).isEqualTo("l99");
        for (OpNode op : g.ops()) {
            int layer = Integer.parseInt(op.layer().substring(1));
            List<TensorEdge> in = g.incoming(op.id());
            assertThat(in.size()).isBetween(layer == 0 ? 0 : 1, layer == 0 ? 0 : 3);
            assertThat(in).allSatisfy(t -> {
                int from = Integer.parseInt(g.op(t.from()).orElseThrow().layer().substring(1));
                assertThat(from).isBetween(layer - 2, layer - 1);
                assertThat(t.bytes()).isEqualTo(g.op(t.from()).orElseThrow().activationBytes());
            });
            assertThat(in.stream().filter(t -> t.from().startsWith("op")).map(TensorEdge::from)).doesNotHaveDuplicates();
        }
        ComputationGraph again = ModelZoo.build("dag:ops=1000,seed=7,width=10");
        assertThat(again.ops()).isEqualTo(g.ops());
        assertThat(again.tensors()).isEqualTo(g.tensors());
        assertThat(ModelZoo.build("dag:ops=1000,seed=8,width=10").tensors()).isNotEqualTo(g.tensors());
        assertThat(ModelZoo.build("dag:ops=5,seed=0").opCount()).isEqualTo(5);
    }

    @Test
    void everyPresetBuildsAValidGraphNamedAfterIt() {
        assertThat(ModelZoo.presets()).extracting(Preset::name).contains("mlp-small", "gpt-tiny", "gpt2-small",
                "gpt2-medium", "gpt2-large", "gpt2-xl", "gpt3-175b", "llama2-7b", "llama2-70b", "bert-large",
                "megatron-1.7b", "megatron-1t", "resnet50", "vgg16", "inception-v3");
        for (Preset p : ModelZoo.presets()) {
            ComputationGraph g = p.build();
            assertThat(g.name()).isEqualTo(p.name());
            assertThat(g.ops()).allSatisfy(op -> assertThat(op.activationBytes()).isPositive());
        }
    }

    @Test
    void badSpecsNameTheProblem() {
        assertThatThrownBy(() -> ModelZoo.build("gpt3-157b")).isInstanceOf(GraphException.class)
                .hasMessageStartingWith("unknown model 'gpt3-157b'; did you mean gpt3-175b");
        assertThatThrownBy(() -> ModelZoo.build("gpt:layers=4,hidden=64,heads=5,seq=32,vocab=64"))
                .hasMessage("model 'gpt:layers=4,hidden=64,heads=5,seq=32,vocab=64': hidden 64 must be divisible by heads 5");
        assertThatThrownBy(() -> ModelZoo.build("gpt:layers=4,hidden=64,heads=4,seq=32"))
                .hasMessage("model 'gpt:layers=4,hidden=64,heads=4,seq=32': missing vocab");
        assertThatThrownBy(() -> ModelZoo.build("mlp:layers=x,width=4"))
                .hasMessage("model 'mlp:layers=x,width=4': layers 'x' is not an integer");
        assertThatThrownBy(() -> ModelZoo.build("mlp:layers=2,width=4,depth=3"))
                .hasMessage("model 'mlp:layers=2,width=4,depth=3': unknown key 'depth' (expected layers, width)");
        assertThatThrownBy(() -> ModelZoo.build("gpt:layers=1000000,hidden=8,heads=1,seq=1,vocab=1"))
                .hasMessage("model 'gpt:layers=1000000,hidden=8,heads=1,seq=1,vocab=1': layers must be between 1 and 10000, got 1000000");
    }
}
