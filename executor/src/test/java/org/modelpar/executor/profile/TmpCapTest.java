package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.Threads;
import org.modelpar.executor.kernel.TensorGroup;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;

class TmpCapTest {
    @Test
    void curve() {
        Threads.configure(1);
        ComputationGraph g = ModelZoo.build(System.getProperty("m", "gpt:layers=4,hidden=64,heads=4,seq=32,vocab=64"));
        int t = Integer.getInteger("t", 2);
        TensorParallel tp = t == 1 ? TensorParallel.NONE : TensorParallel.of(g, TensorGroup.alone(t), false);
        HostSharing h = new HostSharing(g, Integer.getInteger("s", 4), tp);
        h.warmUp(4);
        for (int rep = 0; rep < 3; rep++) {
            for (int k = 1; k <= 4; k++) {
                List<HostSharing.Round> rounds = new ArrayList<>();
                for (int r = 0; r < 10; r++) {
                    rounds.add(h.round(k));
                }
                System.out.printf("CAP k=%d C=%.3f one=%.2fms%n", k, HostSharing.capacity(k, rounds),
                        rounds.stream().mapToDouble(HostSharing.Round::oneSeconds).sorted().toArray()[5] * 1e3);
            }
        }
    }
}
