package org.modelpar.graph.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;

class HfConfigReaderTest {
    @ParameterizedTest
    @CsvSource({
        "gpt2, gpt2, gpt2-small, 124439808",
        "llama-2-7b, meta-llama/Llama-2-7b-hf, llama2-7b, 6738415616",
        "bert-large-uncased, bert-large-uncased, bert-large, 335174458"})
    void configsGiveTheSameGraphAsTheMatchingPreset(String dir, String name, String preset, long parameters) throws Exception {
        Path file = Path.of(HfConfigReaderTest.class.getResource("/hf/" + dir + "/config.json").toURI());
        ComputationGraph g = GraphReader.read(file, GraphFormat.guess(file), ImportOptions.defaults());
        assertThat(g.name()).isEqualTo(name);
        assertThat(g.parameterBytes() / 4).isEqualTo(parameters);
        ComputationGraph zoo = ModelZoo.build(preset);
        assertThat(g.ops()).isEqualTo(zoo.ops());
        assertThat(g.tensors()).isEqualTo(zoo.tensors());
    }
}
