package org.modelpar.executor;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.modelpar.executor.kernel.ParameterSpec;

/** Which of a device's stages updates each parameter it holds: each parameter under exactly one stage. */
final class StageOwners {
    private StageOwners() {
    }

    /**
     * The parameters each stage of a device updates, from the parameters each reads: those no earlier stage of the
     * device reads (a weight read by several of its chunks once).
     */
    static Map<Integer, List<String>> of(Map<Integer, List<ParameterSpec>> read) {
        Map<Integer, List<String>> out = new HashMap<>();
        Set<String> claimed = new HashSet<>();
        new TreeMap<>(read).forEach((stage, specs) -> out.put(stage, specs.stream().map(ParameterSpec::name)
                .filter(claimed::add).toList()));
        return out;
    }
}
