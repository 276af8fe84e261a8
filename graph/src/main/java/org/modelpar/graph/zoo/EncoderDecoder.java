package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.ShapeChecks.nonNegative;
import static org.modelpar.graph.zoo.ShapeChecks.positive;

import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;

/**
 * An encoder-decoder transformer in the T5 layout (Raffel et al., "Exploring the Limits of Transfer Learning
 * with a Unified Text-to-Text Transformer", JMLR 2020): a pre-norm encoder, a decoder whose blocks add
 * cross-attention to the encoder output, one word embedding shared by both, relative position buckets in the
 * first block of each stack. Source and target sequences both have {@code encoder.seq()} tokens.
 *
 * @param encoder          the encoder stack (its embeddings, norm, attention, MLP and output head serve both stacks)
 * @param decoderLayers    decoder blocks
 * @param relativeBuckets  relative position buckets (a table of buckets x heads per stack; 0 for none)
 */
public record EncoderDecoder(Architecture encoder, int decoderLayers, int relativeBuckets) implements ModelShape {
    public EncoderDecoder {
        positive("decoderLayers", decoderLayers);
        nonNegative("relativeBuckets", relativeBuckets);
        if (encoder.moe().isPresent() || encoder.layout() != BlockLayout.PRE_NORM) {
            throw new GraphException("an encoder-decoder is built pre-norm without experts");
        }
    }

    @Override
    public ComputationGraph build(String name) {
        return EncoderDecoderTransformer.build(name, this);
    }

    @Override
    public long opCountBound() {
        return encoder.opCountBound() + 2 * encoder.withLayers(decoderLayers).opCountBound();
    }

    @Override
    public EncoderDecoder withSeq(int tokens) {
        return new EncoderDecoder(encoder.withSeq(tokens), decoderLayers, relativeBuckets);
    }

    @Override
    public int seq() {
        return encoder.seq();
    }
}
