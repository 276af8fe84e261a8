package org.modelpar.cli.report;

import java.util.List;
import java.util.Locale;
import org.modelpar.profiles.ByteSize;

/**
 * One layer of the model (the graph's layer tag: {@code embedding}, {@code block3}, {@code head}) in the plan.
 *
 * @param layer                 the layer tag
 * @param stage                 the stage holding its first op
 * @param ops                   its ops
 * @param parameters            its parameters
 * @param forwardFlopsPerSample its forward FLOPs per sample
 * @param seconds               forward and backward time of one micro-batch on its stage's device (cost model)
 * @param activationBytes       activations one micro-batch leaves in it (per data-parallel replica)
 */
public record LayerRow(String layer, int stage, int ops, long parameters, double forwardFlopsPerSample, double seconds,
                       long activationBytes) {
    /** The layers as an HTML table. */
    static String table(List<LayerRow> layers) {
        List<List<String>> rows = layers.stream().map(l -> List.of(l.layer(), String.valueOf(l.stage()), String.valueOf(l.ops()),
                String.format(Locale.ROOT, "%,d", l.parameters()), String.format(Locale.ROOT, "%.3g", l.forwardFlopsPerSample()),
                Html.seconds(l.seconds()), ByteSize.format(l.activationBytes()))).toList();
        return Html.table("layers", List.of("layer", "stage", "ops", "parameters", "forward FLOPs per sample",
                "forward + backward per micro-batch", "activations per micro-batch"), rows);
    }
}
