/**
 * The built-in model zoo and the transformer builder: any {@link org.modelpar.graph.zoo.Architecture}
 * (decoders, encoders, mixtures of experts) or {@link org.modelpar.graph.zoo.EncoderDecoder} as a graph with a
 * Megatron-LM per-layer breakdown; presets GPT-2, GPT-3, the Megatron-LM weak-scaling configurations, LLaMA 2
 * and 3, Qwen2.5, Mixtral, DeepSeek-V3, T5, BERT, MLPs and the CNNs ResNet-50, VGG-16 and Inception-v3 with
 * their real topologies. {@link org.modelpar.graph.zoo.ModelZoo} is the facade; op ids,
 * kinds and attributes follow {@code docs/op-kinds.md}. FLOPs count matrix multiplications and
 * convolutions (2 per multiply-add, backward twice forward); elementwise ops carry 0 FLOPs and are costed by
 * their bytes. Byte counts are fp32 bytes per sample.
 */
package org.modelpar.graph.zoo;
