package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.Kernel;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.kernel.Source;
import org.modelpar.graph.OpNode;

/**
 * When a stage's values die in a forward pass: the op that reads each last (as a reference count drops to 0); and
 * when its parameters' gradients are complete in a backward pass: after the op that reads each first.
 */
final class LastReaders {
    private LastReaders() {
    }

    /**
     * Per op index, the stage's values that op is the last to read (a value no op reads: its producer's index);
     * the {@code sent} values never die in the pass.
     */
    static Map<Integer, List<String>> of(List<OpNode> ops, Map<String, List<Source>> sources, List<String> sent) {
        Map<String, Integer> lastRead = new LinkedHashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            lastRead.put(ops.get(i).id(), i);
            for (Source src : sources.get(ops.get(i).id())) {
                if (src.kind() == Source.Kind.OP && lastRead.containsKey(src.producerId())) {
                    lastRead.put(src.producerId(), i);
                }
            }
        }
        Map<Integer, List<String>> byOp = new HashMap<>();
        lastRead.forEach((value, i) -> {
            if (!sent.contains(value)) {
                byOp.computeIfAbsent(i, x -> new ArrayList<>()).add(value);
            }
        });
        return byOp;
    }

    /**
     * When a stage's parameter gradients are complete in a backward pass: per op with parameters, in backward order,
     * the parameters no op before it reads (it is the last to add to their gradients).
     */
    static Map<String, List<String>> ofParameters(List<OpNode> ops, Map<String, Kernel> kernels) {
        Map<String, Integer> firstReader = new LinkedHashMap<>();
        for (int i = ops.size() - 1; i >= 0; i--) {
            int at = i;
            kernels.get(ops.get(i).id()).parameters().forEach(p -> firstReader.put(p.name(), at));
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = ops.size() - 1; i >= 0; i--) {
            int at = i;
            List<String> done = kernels.get(ops.get(i).id()).parameters().stream().map(ParameterSpec::name)
                    .filter(n -> firstReader.get(n) == at).toList();
            if (!done.isEmpty()) {
                out.put(ops.get(i).id(), done);
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
