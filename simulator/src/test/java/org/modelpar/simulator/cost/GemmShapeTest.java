package org.modelpar.simulator.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.plan.Precision;

/** Tile quantization and the k term on hand-computed shapes. */
class GemmShapeTest {
    private static OpNode op(String kind, double flops, Map<String, String> attributes) {
        return new OpNode("x", "x", kind, "", flops, 2 * flops, 0, 0, 0, Map.of(), attributes);
    }

    @Test
    void megatronShapesAreWholeTilesAndPayOnlyTheKTerm() {
        OpNode qkv = op("linear", 0, Map.of("in", "2304", "out", "6912", "tokens", "2048"));
        GemmShape s = GemmShape.of(qkv, new OpWork(16, 1, Precision.FP16, 1)).orElseThrow();
        assertThat(s).isEqualTo(new GemmShape(32768, 6912, 2304, 1));
        assertThat(s.efficiency()).isEqualTo(2304 / 2432.0);
        OpNode scores = op("attention-scores", 0, Map.of("heads", "24", "seq", "2048", "headDim", "96"));
        GemmShape sc = GemmShape.of(scores, new OpWork(16, 2, Precision.FP16, 1)).orElseThrow();
        assertThat(sc).isEqualTo(new GemmShape(2048, 2048, 96, 192));
        assertThat(sc.efficiency()).isEqualTo(96 / 224.0);
        OpNode context = op("attention-context", 0, Map.of("heads", "24", "seq", "2048", "headDim", "96"));
        // n = 96 runs in a 128-wide tile
        assertThat(GemmShape.of(context, new OpWork(16, 2, Precision.FP16, 1)).orElseThrow().efficiency())
                .isCloseTo(96 / 128.0 * 2048 / 2176.0, offset(1e-15));
        OpNode logits = op("logits", 0, Map.of("hidden", "2304", "vocab", "51200", "seq", "2048"));
        assertThat(GemmShape.of(logits, new OpWork(1, 8, Precision.FP16, 1)).orElseThrow()).isEqualTo(new GemmShape(2048, 6400, 2304, 1));
    }

    @Test
    void smallAndRaggedDimensionsAreQuantized() {
        OpNode fc = op("linear", 0, Map.of("in", "1000", "out", "300", "tokens", "1"));
        OpWork work = new OpWork(3, 2, Precision.FP32, 1);
        // m = 3 in a 16-row tile, n = 150 in two 128 tiles, k = 1000
        assertThat(GemmShape.of(fc, work).orElseThrow().efficiency()).isCloseTo(3 / 16.0 * 150 / 256.0 * 1000 / 1128.0, offset(1e-15));
        // row-parallel: k = 500 split, n = 300 in three tiles
        assertThat(GemmShape.of(fc, work.withRowParallel(true)).orElseThrow().efficiency())
                .isCloseTo(3 / 16.0 * 300 / 384.0 * 500 / 628.0, offset(1e-15));
        assertThat(GemmShape.of(op("gelu", 0, Map.of()), work)).isEmpty();
        assertThat(GemmShape.of(op("linear", 0, Map.of()), work)).isEmpty();
    }

    @Test
    void aComputeBoundProductTakesItsFlopsOverTheShapedPeak() {
        // 2 m n k = 2 x 256 x 256 x 128 FLOPs on 100 TFLOP/s at efficiency 1; bytes negligible
        double flops = 2.0 * 256 * 256 * 128;
        OpNode fc = op("linear", flops, Map.of("in", "128", "out", "256", "tokens", "256"));
        double seconds = new RooflineCostModel().forwardSeconds(fc, Fixtures.device(1L << 40), new OpWork(1, 1, Precision.FP32, 1));
        assertThat(seconds).isCloseTo(flops / (100e12 * 128 / 256.0), offset(1e-18));
    }
}
