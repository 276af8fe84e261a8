package org.modelpar.graph.zoo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        gpt("gpt2-small", "GPT-2 124M: 12 layers, hidden 768, 12 heads, seq 1024, vocab 50257", 12, 768, 12, 1024, 50257);
        gpt("gpt2-medium", "GPT-2 355M: 24 layers, hidden 1024, 16 heads, seq 1024, vocab 50257", 24, 1024, 16, 1024, 50257);
        gpt("gpt2-large", "GPT-2 774M: 36 layers, hidden 1280, 20 heads, seq 1024, vocab 50257", 36, 1280, 20, 1024, 50257);
        gpt("gpt2-xl", "GPT-2 1.5B: 48 layers, hidden 1600, 25 heads, seq 1024, vocab 50257", 48, 1600, 25, 1024, 50257);
        gpt("gpt3-175b", "GPT-3 175B: 96 layers, hidden 12288, 96 heads, seq 2048, vocab 51200 (Megatron-LM)", 96, 12288, 96, 2048, 51200);
        transformer("llama2-7b", "LLaMA 2 7B: 32 layers, hidden 4096, 32 heads, SwiGLU 11008, seq 4096, vocab 32000",
                new TransformerConfig(Style.LLAMA, 32, 4096, 32, 32, 4096, 32000, 11008));
        transformer("llama2-70b", "LLaMA 2 70B: 80 layers, hidden 8192, 64 heads (8 KV heads, GQA), SwiGLU 28672, seq 4096",
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
        add("resnet50", "ResNet-50 v1.5, 224x224 ImageNet (residual DAG)", Cnns::resnet50);
        add("vgg16", "VGG-16, 224x224 ImageNet (a chain)", Cnns::vgg16);
        add("inception-v3", "Inception-v3, 299x299 ImageNet (branchy DAG with concats)", Cnns::inceptionV3);
    }

    private ModelZoo() {
    }

    private static void add(String name, String description, java.util.function.Supplier<ComputationGraph> builder) {
        PRESETS.put(name, new Preset(name, description, builder));
    }

    private static void transformer(String name, String description, TransformerConfig config) {
        add(name, description, () -> Transformer.build(name, config));
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
        String s = spec == null ? "" : spec.trim();
        Preset preset = PRESETS.get(s);
        if (preset != null) {
            return preset.build();
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
