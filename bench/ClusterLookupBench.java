import java.util.List;
import java.util.Optional;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;

/**
 * Device lookup by id on dgx-a100:192 (1,536 devices), as the simulator does per instruction: the O(1) index of
 * ClusterSpec.device(id) against the baseline linear scan it replaced, measured in the same run.
 * Run: bench/cluster-lookup.sh
 */
public final class ClusterLookupBench {
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        ClusterSpec cluster = Clusters.resolve("dgx-a100:192");
        long resolveNanos = System.nanoTime() - t0;
        List<String> ids = cluster.devices().stream().map(ClusterDevice::id).toList();
        long sink = 0;
        for (int warm = 0; warm < 3; warm++) {
            sink += run(ids, id -> cluster.device(id)) + run(ids, id -> scan(cluster, id));
        }
        long index = time(() -> run(ids, id -> cluster.device(id)));
        long scan = time(() -> run(ids, id -> scan(cluster, id)));
        System.out.printf("resolve dgx-a100:192 (cold JVM): %.1f ms%n", resolveNanos / 1e6);
        System.out.printf("100 x 1536 lookups: index %.2f ms, linear scan (baseline) %.2f ms, speed-up %.0fx (sink %d)%n",
                index / 1e6, scan / 1e6, (double) scan / index, sink);
    }

    private static Optional<ClusterDevice> scan(ClusterSpec c, String id) {
        return c.devices().stream().filter(d -> d.id().equals(id)).findFirst();
    }

    private static long run(List<String> ids, java.util.function.Function<String, Optional<ClusterDevice>> lookup) {
        long found = 0;
        for (int r = 0; r < 100; r++) {
            for (String id : ids) {
                found += lookup.apply(id).isPresent() ? 1 : 0;
            }
        }
        return found;
    }

    private static long time(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return System.nanoTime() - t;
    }
}
