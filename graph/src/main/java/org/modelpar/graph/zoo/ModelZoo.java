package org.modelpar.graph.zoo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.zoo.TransformerConfig.Style;

/**
 * The built-in models: presets by name, and the parameterized forms
 * {@code gpt:layers=L,hidden=H,heads=A,seq=S,vocab=V[,ffn=F]}, {@code mlp:layers=L,width=W} and the seeded
 * random DAG {@code dag:ops=N,seed=S[,width=W]} ({@link RandomDag}, for scale tests).
 */
public final class ModelZoo {
    private static final Map<String, Preset> PRESETS = new LinkedHashMap<>();

    static {
        add("mlp-small", "MLP, 4 hidden layers of width 256 (trainable on a CPU)", () -> Mlp.build("mlp-small", 4, 256));
        gpt("gpt-tiny", "GPT, 4 layers, hidden 64, 4 heads, seq 32, vocab 64 (trainable on a CPU)", 4, 64, 4, 32, 64);
        gpt("gpt-mini", "GPT, 6 layers, hidden 256, 4 heads, seq 16, vocab 64 (trainable on CPUs; splits under a 48 MiB budget)", 6, 256, 4, 16, 64);
        transformer("moe-tiny", "gpt-tiny with a mixture of experts in every layer: 4 GeLU experts of 256, top-2, capacity factor 1.25"
                + " (trainable on a CPU)", moeTiny());
        gpt("gpt2-small", "GPT-2 124M: 12 layers, hidden 768, 12 heads, seq 1024, vocab 50257", 12, 768, 12, 1024, 50257);
        gpt("gpt2-medium", "GPT-2 355M: 24 layers, hidden 1024, 16 heads, seq 1024, vocab 50257", 24, 1024, 16, 1024, 50257);
        gpt("gpt2-large", "GPT-2 774M: 36 layers, hidden 1280, 20 heads, seq 1024, vocab 50257", 36, 1280, 20, 1024, 50257);
        gpt("gpt2-xl", "GPT-2 1.5B: 48 layers, hidden 1600, 25 heads, seq 1024, vocab 50257", 48, 1600, 25, 1024, 50257);
        gpt("gpt3-175b", "GPT-3 175B: 96 layers, hidden 12288, 96 heads, seq 2048, vocab 51200 (Megatron-LM)", 96, 12288, 96, 2048, 51200);
        withoutDropout("llama2-7b", "LLaMA 2 7B: 32 layers, hidden 4096, 32 heads, SwiGLU 11008, seq 4096, vocab 32000",
                new TransformerConfig(Style.LLAMA, 32, 4096, 32, 32, 4096, 32000, 11008));
        withoutDropout("llama2-70b", "LLaMA 2 70B: 80 layers, hidden 8192, 64 heads (8 KV heads, GQA), SwiGLU 28672, seq 4096",
                new TransformerConfig(Style.LLAMA, 80, 8192, 64, 8, 4096, 32000, 28672));
        transformer("bert-large", "BERT-large 335M: 24 layers, hidden 1024, 16 heads, seq 512, vocab 30522 (masked LM)",
                new TransformerConfig(Style.BERT, 24, 1024, 16, 16, 512, 30522, 4096));
        megatron("1.7b", 24, 2304, 24);
        megatron("3.6b", 32, 3072, 30);
        megatron("7.5b", 32, 4096, 36);
        megatron("18b", 48, 6144, 40);
        megatron("39b", 64, 8192, 48);
        megatron("76b", 80, 10240, 60);
        megatron("145b", 96, 12288, 80);
        megatron("310b", 128, 16384, 96);
        megatron("530b", 128, 20480, 105);
        megatron("1t", 160, 25600, 128);
        withoutDropout("llama3-8b", "Llama 3 8B: 32 layers, hidden 4096, 32 heads (8 KV), SwiGLU 14336, vocab 128256, seq 4096",
                llama(32, 4096, 32, 14336));
        withoutDropout("llama3-70b", "Llama 3 70B: 80 layers, hidden 8192, 64 heads (8 KV), SwiGLU 28672, vocab 128256, seq 4096",
                llama(80, 8192, 64, 28672));
        withoutDropout("llama3.1-405b", "Llama 3.1 405B: 126 layers, hidden 16384, 128 heads (8 KV), SwiGLU 53248, vocab 128256, seq 4096",
                llama(126, 16384, 128, 53248));
        withoutDropout("qwen2.5-72b", "Qwen2.5 72B: 80 layers, hidden 8192, 64 heads (8 KV, QKV biases), SwiGLU 29568, vocab 152064, seq 4096",
                Architecture.decoder(80, 8192, 4096, Embeddings.of(152064, Positions.ROTARY),
                        AttentionShape.of(64, 8, 128).withBiases(true, false), new MlpShape(29568, Activation.SWIGLU, false)));
        withoutDropout("mixtral-8x7b", "Mixtral 8x7B: 32 layers, hidden 4096, 32 heads (8 KV), 8 SwiGLU experts of 14336, top-2, seq 4096",
                mixtral(32, 4096, 32, 14336, 32000));
        withoutDropout("mixtral-8x22b", "Mixtral 8x22B: 56 layers, hidden 6144, 48 heads (8 KV), 8 SwiGLU experts of 16384, top-2, seq 4096",
                mixtral(56, 6144, 48, 16384, 32768));
        withoutDropout("deepseek-v3", "DeepSeek-V3: 61 layers, hidden 7168, latent attention, 256 routed experts of 2048 (top-8) + 1 shared,"
                + " first 3 layers dense, seq 4096", deepseekV3());
        transformer("t5-11b", "T5 11B: 24+24 layers, hidden 1024, 128 heads of 128, ReLU MLP 65536, vocab 32128, seq 512",
                new EncoderDecoder(Architecture.decoder(24, 1024, 512, Embeddings.of(32128, Positions.RELATIVE), AttentionShape.of(128, 128, 128),
                        new MlpShape(65536, Activation.RELU, false)).withHead(OutputHead.causal(true)), 24, 32));
        add("resnet50", "ResNet-50 v1.5, 224x224 ImageNet (residual DAG)", Cnns::resnet50);
        add("vgg16", "VGG-16, 224x224 ImageNet (a chain)", Cnns::vgg16);
        add("inception-v3", "Inception-v3, 299x299 ImageNet (branchy DAG with concats)", Cnns::inceptionV3);
    }

    private ModelZoo() {
    }

    private static void add(String name, String description, java.util.function.Supplier<ComputationGraph> builder) {
        PRESETS.put(name, new Preset(name, description, builder, Optional.empty(), true));
    }

    /** A transformer that trains with dropout (GPT-2, GPT-3 and Megatron-LM's GPTs, BERT, T5: probability 0.1). */
    private static void transformer(String name, String description, ModelShape shape) {
        PRESETS.put(name, new Preset(name, description, () -> shape.build(name), Optional.of(shape), true));
    }

    /** A transformer trained without dropout (Llama 2 and 3, Qwen2.5, Mixtral, DeepSeek-V3: their configs' 0.0). */
    private static void withoutDropout(String name, String description, ModelShape shape) {
        PRESETS.put(name, new Preset(name, description, () -> shape.build(name), Optional.of(shape), false));
    }

    private static void transformer(String name, String description, TransformerConfig config) {
        transformer(name, description, config.architecture());
    }

    private static void withoutDropout(String name, String description, TransformerConfig config) {
        withoutDropout(name, description, config.architecture());
    }

    /** A Llama 3 decoder: head size 128, 8 KV heads, vocabulary 128256, untied output. */
    private static Architecture llama(int layers, int hidden, int heads, int ffn) {
        return Architecture.decoder(layers, hidden, 4096, Embeddings.of(128256, Positions.ROTARY), AttentionShape.of(heads, 8, 128),
                new MlpShape(ffn, Activation.SWIGLU, false));
    }

    /** Mixtral: Mistral attention (8 KV heads of 128), 8 SwiGLU experts per layer, top-2. */
    private static Architecture mixtral(int layers, int hidden, int heads, int ffn, int vocab) {
        MlpShape expert = new MlpShape(ffn, Activation.SWIGLU, false);
        return Architecture.decoder(layers, hidden, 4096, Embeddings.of(vocab, Positions.ROTARY), AttentionShape.of(heads, 8, 128), expert)
                .withMoe(MoeShape.routed(8, 2, expert));
    }

    /**
     * gpt-tiny whose every MLP is 4 experts of gpt-tiny's MLP shape (GeLU, biases), top-2 (Shazeer et al., ICLR'17),
     * each taking at most 1.25 times its balanced share of a sample's tokens (Fedus et al., Switch Transformers' default).
     */
    private static Architecture moeTiny() {
        MlpShape expert = new MlpShape(256, Activation.GELU, true);
        return TransformerConfig.gpt(4, 64, 4, 32, 64).architecture().withMoe(MoeShape.routed(4, 2, expert).withCapacityFactor(1.25));
    }

    /** DeepSeek-V3 (DeepSeek-AI, "DeepSeek-V3 Technical Report", 2024), as its config.json gives it. */
    private static Architecture deepseekV3() {
        MlpShape expert = new MlpShape(2048, Activation.SWIGLU, false);
        MoeShape moe = MoeShape.routed(256, 8, expert).withShared(expert, false).withFirstDenseLayers(3);
        return Architecture.decoder(61, 7168, 4096, Embeddings.of(129280, Positions.ROTARY),
                AttentionShape.latent(128, 192, 128, new LatentAttention(1536, 512, 64)), new MlpShape(18432, Activation.SWIGLU, false))
                .withMoe(moe);
    }

    private static void gpt(String name, String description, int layers, int hidden, int heads, int seq, int vocab) {
        transformer(name, description, TransformerConfig.gpt(layers, hidden, heads, seq, vocab));
    }

    private static void megatron(String size, int heads, int hidden, int layers) {
        gpt("megatron-" + size, "Megatron-LM weak-scaling GPT " + size.toUpperCase(Locale.ROOT) + ": " + layers
                + " layers, hidden " + hidden + ", " + heads + " heads, seq 2048, vocab 51200", layers, hidden, heads, 2048, 51200);
    }

    /** The presets in listing order. */
    public static List<Preset> presets() {
        return List.copyOf(PRESETS.values());
    }

    /**
     * Builds a model from a preset name or a parameterized spec; the graph is named by the spec. An unknown
     * name is a {@link GraphException} listing the closest preset names.
     */
    public static ComputationGraph build(String spec) {
        return build(spec, OptionalInt.empty());
    }

    /**
     * Builds a model as {@link #build(String)} does, trained on sequences of {@code seq} tokens when given
     * (transformer presets only; a {@code gpt:} spec names its {@code seq} itself).
     */
    public static ComputationGraph build(String spec, OptionalInt seq) {
        String s = spec == null ? "" : spec.trim();
        Preset preset = PRESETS.get(s);
        if (preset != null) {
            return seq.isPresent() ? preset.build(seq.getAsInt()) : preset.build();
        }
        if (seq.isPresent() && s.contains(":")) {
            throw new GraphException("model '" + s + "': --seq-len applies to presets; give the sequence length in the spec");
        }
        if (s.startsWith("gpt:")) {
            Map<String, Integer> p = SpecParameters.parse(s, List.of("layers", "hidden", "heads", "seq", "vocab"), List.of("ffn"));
            int hidden = p.get("hidden");
            return SpecParameters.checked(s, () -> Transformer.build(s, new TransformerConfig(Style.GPT, p.get("layers"),
                    hidden, p.get("heads"), p.get("heads"), p.get("seq"), p.get("vocab"), p.getOrDefault("ffn", 4 * hidden))));
        }
        if (s.startsWith("mlp:")) {
            Map<String, Integer> p = SpecParameters.parse(s, List.of("layers", "width"), List.of());
            return SpecParameters.checked(s, () -> Mlp.build(s, p.get("layers"), p.get("width")));
        }
        if (s.startsWith("dag:")) {
            Map<String, Integer> p = SpecParameters.parse(s, List.of("ops", "seed"), List.of("width"));
            return SpecParameters.checked(s, () -> RandomDag.build(s, p.get("ops"), p.get("seed"), p.getOrDefault("width", 16)));
        }
        throw new GraphException("unknown model '" + s + "'" + suggestions(s)
                + " (see 'modelpar models'; or gpt:layers=L,hidden=H,heads=A,seq=S,vocab=V or mlp:layers=L,width=W)");
    }

    private static String suggestions(String name) {
        List<String> close = new ArrayList<>(PRESETS.keySet());
        close.sort(Comparator.comparingInt((String p) -> SpecParameters.distance(name, p)).thenComparing(p -> p));
        List<String> best = close.stream().limit(3).collect(Collectors.toList());
        return "; did you mean " + String.join(", ", best) + "?";
    }
}
