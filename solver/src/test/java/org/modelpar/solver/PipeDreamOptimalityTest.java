package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.io.GraphFormat;
import org.modelpar.graph.io.GraphReader;
import org.modelpar.profiles.Catalog;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.plan.Precision;

/**
 * The planner on PipeDream's profiles with free communication and no replication
 * ({@code --pp k --dp 1 --tp 1}): the plan's slowest stage compute equals PipeDream's own optimum
 * (rows {@code *_nocomm_straight}), or is lower on GNMT's DAG.
 */
class PipeDreamOptimalityTest {
    static Path data() {
        Path start = Path.of(System.getProperty("modelpar.root", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            for (Path candidate : List.of(p.resolve("../shared/data"), p.resolve("shared/data"))) {
                if (Files.isDirectory(candidate.resolve("pipedream"))) {
                    return candidate.normalize();
                }
            }
        }
        throw new IllegalStateException("shared/data not found from " + start);
    }

    /** k V100s whose links are (practically) free. */
    static ClusterSpec freeLinks(int k) {
        return oneNode("free-v100-" + k, k, "v100-sxm2-32gb", new LinkProfile(1e30, 0));
    }

    /** k devices of one catalog type on one node, every link of the given profile. */
    static ClusterSpec oneNode(String name, int k, String deviceType, LinkProfile link) {
        List<ClusterDevice> devices = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            devices.add(new ClusterDevice("g" + i, "n0", Catalog.device(deviceType)));
        }
        return new ClusterSpec(name, devices, link, link);
    }

    static double expected(String model, int k) throws IOException {
        for (String line : Files.readAllLines(data().resolve("pipedream/pipedream-optimizer-results.tsv"))) {
            String[] f = line.split("\t");
            if (f[0].equals(model) && f[1].equals("n" + k + "_1GBps_nocomm_straight")) {
                return Double.parseDouble(f[5]);
            }
        }
        throw new IllegalStateException("no nocomm_straight row for " + model + " n" + k);
    }

    @ParameterizedTest
    @CsvSource({"vgg16,4", "vgg16,8", "vgg16,16", "gnmt,4", "gnmt,8", "gnmt,16"})
    void bottleneckMatchesPipeDream(String model, int k) throws IOException {
        ComputationGraph graph = GraphReader.read(data().resolve("pipedream/" + model + ".graph.txt"), GraphFormat.PIPEDREAM);
        PlanRequest request = PlanRequest.of(1).withPrecision(Precision.FP32, org.modelpar.simulator.plan.OptimizerKind.SGD)
                .withDegrees(OptionalInt.of(k), OptionalInt.of(1), OptionalInt.of(1), OptionalInt.of(1));
        PlanResult r = new Planner().plan(graph, freeLinks(k), request);
        double bottleneck = r.best().computeSeconds().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double pipedream = expected(model, k);
        if (model.equals("vgg16")) {
            assertThat(bottleneck).isCloseTo(pipedream, within(1e-9));
        } else {
            assertThat(bottleneck).isLessThanOrEqualTo(pipedream + 1e-9);
        }
    }
}
