package org.modelpar.solver;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.Schedule;

/**
 * Enumerates the configurations of a request on a cluster, in a fixed order: p x t x d = all devices, or
 * half of them, a quarter... down to one node (a prefix of whole nodes in cluster order, for when more
 * devices do not help); stages take consecutive device ranges in cluster order, each of one device type; t divides the
 * smallest node so tensor groups stay inside a node), micro-batch sizes with power-of-two samples per
 * replica dividing the global batch, the expert-parallel degrees of a mixture-of-experts graph
 * ({@link PlanRequest#expertDegrees}: each divides d), the schedules 1F1B, GPipe and ZB-H1, recomputation off
 * and on. ZB-H1 takes only configurations it runs: at least p micro-batches, no recomputation. The interleaved
 * schedule, when the request fixes it, takes p of at least 2 dividing m, and the fixed number of model chunks or
 * every v from 2 with at least one block per chunk; otherwise the planner tries it on the finalists.
 */
final class ConfigurationSpace {
    private ConfigurationSpace() {
    }

    static List<Configuration> enumerate(ClusterSpec cluster, PlanRequest request, int blocks) {
        return enumerate(cluster, request, blocks, 0);
    }

    /** @param experts routed experts per mixture-of-experts layer ({@link #expertsPerLayer}), 0 for none */
    static List<Configuration> enumerate(ClusterSpec cluster, PlanRequest request, int blocks, int experts) {
        int n = cluster.devices().size();
        int nodeSize = cluster.nodes().values().stream().mapToInt(List::size).min().orElse(1);
        List<Schedule> schedules = request.schedules();
        List<Configuration> out = new ArrayList<>();
        int batch = request.globalBatchSize();
        for (int devices : deviceCounts(n, nodeSize)) {
            enumerate(cluster, request, blocks, experts, devices, nodeSize, schedules, batch, out);
        }
        return out;
    }

    /**
     * Why {@link #enumerate} is empty for {@code request}: the first fixed degree (tensor, pipeline, data,
     * micro-batch count, in that order) that no configuration with the fixed degrees before it allows, the rule
     * it breaks and the values that configuration would allow; empty when the space is empty without fixed degrees.
     */
    static Optional<String> whyNone(ClusterSpec cluster, PlanRequest request, int blocks) {
        int e = request.expertParallel().orElse(1);
        PlanRequest withoutExperts = request.withSharding(request.zeroStage(), OptionalInt.of(1));
        List<Configuration> anyExperts = e > 1 ? enumerate(cluster, withoutExperts, blocks) : List.of();
        if (!anyExperts.isEmpty()) {
            TreeSet<Integer> degrees = new TreeSet<>();
            anyExperts.forEach(c -> degrees.add(c.data()));
            return Optional.of("--expert-parallel " + e + " cannot work on " + cluster.devices().size() + " devices of cluster '"
                    + cluster.name() + "': the data degree d must be a multiple of it, and d can be "
                    + degrees.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " here");
        }
        int n = cluster.devices().size();
        if (request.schedule().filter(Schedule::interleaves).isPresent()
                && !enumerate(cluster, withoutExperts.withSchedule(Optional.of(Schedule.ONE_F_ONE_B)), blocks).isEmpty()) {
            return Optional.of("--schedule interleaved" + request.virtualStages().stream().mapToObj(v -> " --virtual-stages " + v)
                    .findFirst().orElse("") + " cannot work on " + n + " devices of cluster '" + cluster.name() + "' with global batch "
                    + request.globalBatchSize() + " and the degrees given: Megatron-LM's interleaved schedule needs p of at least 2"
                    + " dividing the micro-batches, and p x v chunks of at least one of the graph's " + blocks + " blocks each");
        }
        int nodeSize = cluster.nodes().values().stream().mapToInt(List::size).min().orElse(1);
        String[] flags = {"--tp", "--pp", "--dp", "--microbatches"};
        String[] rules = {
            "a tensor-parallel group is a power of two that divides a node's " + nodeSize + " devices",
            "p x t x d uses all " + n + " devices or a halving of them down to one node, so p divides the devices left"
                    + " per tensor group, and p is at most the graph's " + blocks + " blocks",
            "d is the devices used divided by p x t",
            "d x micro-batches must divide the global batch of " + request.globalBatchSize()};
        OptionalInt[] fixed = {request.tensor(), request.pipeline(), request.data(), request.microBatches()};
        OptionalInt[] kept = {OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()};
        List<String> given = new ArrayList<>();
        for (int i = 0; i < fixed.length; i++) {
            if (fixed[i].isEmpty()) {
                continue;
            }
            List<Configuration> before = enumerate(cluster, withoutExperts.withDegrees(kept[1], kept[0], kept[2], kept[3]), blocks);
            kept[i] = fixed[i];
            if (before.isEmpty()) {
                return Optional.empty();
            }
            PlanRequest fixedNow = withoutExperts.withDegrees(kept[1], kept[0], kept[2], kept[3]);
            if (enumerate(cluster, fixedNow, blocks).isEmpty()) {
                int degree = i;
                String rule = i == 3 ? rules[3] : dataDegreesAnyBatch(cluster, fixedNow, blocks)
                        .map(d -> (degree == 2 ? "" : "it leaves a data degree d of " + d + ", and ") + rules[3]).orElse(rules[i]);
                TreeSet<Integer> possible = new TreeSet<>();
                before.forEach(c -> possible.add(switch (degree) {
                    case 0 -> c.tensor();
                    case 1 -> c.pipeline();
                    case 2 -> c.data();
                    default -> c.microBatches();
                }));
                return Optional.of(flags[i] + " " + fixed[i].getAsInt() + " cannot work on " + n + " devices of cluster '"
                        + cluster.name() + "'" + (given.isEmpty() ? "" : " with " + String.join(" ", given)) + ": " + rule
                        + "; possible " + flags[i] + " values: " + possible.stream().map(String::valueOf).collect(Collectors.joining(", ")));
            }
            given.add(flags[i] + " " + fixed[i].getAsInt());
        }
        return Optional.empty();
    }

    /**
     * The data degrees {@code request}'s degrees leave where the batch rule alone leaves them without a configuration
     * ("2 or 4"): they fit with the batch a multiple of every data degree (the device count times the batch; a data
     * degree divides the devices it uses, which divide them all). Empty where they do not fit the devices either.
     */
    private static Optional<String> dataDegreesAnyBatch(ClusterSpec cluster, PlanRequest request, int blocks) {
        long multiple = (long) request.globalBatchSize() * cluster.devices().size();
        List<Configuration> anyBatch = multiple > Integer.MAX_VALUE ? List.of()
                : enumerate(cluster, request.withGlobalBatchSize((int) multiple), blocks);
        return anyBatch.isEmpty() ? Optional.empty() : Optional.of(anyBatch.stream().map(Configuration::data).distinct()
                .sorted().map(String::valueOf).collect(Collectors.joining(" or ")));
    }

    /**
     * Routed experts ({@value PlanLayout#EXPERT_KIND} ops) per mixture-of-experts layer, the greatest common
     * divisor over the layers (an expert-parallel degree must split every layer's experts evenly); 0 without any.
     */
    static int expertsPerLayer(ComputationGraph graph) {
        Map<String, Integer> perLayer = new TreeMap<>();
        graph.ops().stream().filter(op -> op.kind().equals(PlanLayout.EXPERT_KIND))
                .forEach(op -> perLayer.merge(op.layer(), 1, Integer::sum));
        return perLayer.values().stream().reduce(0, (a, b) -> BigInteger.valueOf(a).gcd(BigInteger.valueOf(b)).intValue());
    }

    /** All devices, then halves down to one node (a prefix of whole nodes), for when more devices don't help. */
    static List<Integer> deviceCounts(int n, int nodeSize) {
        List<Integer> counts = new ArrayList<>(List.of(n));
        for (int k = n; k % 2 == 0 && (k / 2) % nodeSize == 0; k /= 2) {
            counts.add(k / 2);
        }
        return counts;
    }

    private static void enumerate(ClusterSpec cluster, PlanRequest request, int blocks, int experts, int n, int nodeSize,
                                  List<Schedule> schedules, int batch, List<Configuration> out) {
        for (int t = 1; t <= nodeSize; t *= 2) {
            if (nodeSize % t != 0 || !allows(request.tensor().orElse(-1), t)) {
                continue;
            }
            for (int p = 1; p <= Math.min(blocks, n / t); p++) {
                if ((n / t) % p != 0 || !allows(request.pipeline().orElse(-1), p)) {
                    continue;
                }
                int d = n / t / p;
                if (!allows(request.data().orElse(-1), d) || !singleTypeStages(cluster, p, t * d)) {
                    continue;
                }
                for (int e : request.expertDegrees(experts, d)) {
                    if (d % e != 0) {
                        continue;
                    }
                    for (int u : samplesPerReplica(batch, d, request.microBatches().orElse(-1))) {
                        int mb = u * d;
                        for (Schedule s : schedules) {
                            for (int v : virtualStages(request, s, p, batch / mb, blocks)) {
                                Configuration c = new Configuration(p, t, d, mb, batch / mb, s, false, List.of(), v, e);
                                if (!s.splitsBackward() || c.microBatches() >= p) {
                                    out.add(c);
                                }
                                if (!s.splitsBackward()) {
                                    out.add(new Configuration(p, t, d, mb, batch / mb, s, true, List.of(), v, e));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The model chunks per device group schedule s takes with p groups and m micro-batches: 1 unless it
     * interleaves; interleaved, none unless p is at least 2 and divides m, else every v from 2 with at least one
     * block per chunk (only the request's, when fixed).
     */
    static List<Integer> virtualStages(PlanRequest request, Schedule s, int p, int m, int blocks) {
        if (!s.interleaves()) {
            return List.of(1);
        }
        if (p < 2 || m % p != 0) {
            return List.of();
        }
        return IntStream.rangeClosed(2, blocks / p).filter(v -> request.virtualStages().orElse(v) == v).boxed().toList();
    }

    /**
     * Samples per replica per micro-batch: powers of two whose micro-batch divides the batch, or the one value
     * a fixed micro-batch count implies.
     */
    static List<Integer> samplesPerReplica(int batch, int d, int fixedMicroBatches) {
        List<Integer> out = new ArrayList<>();
        if (fixedMicroBatches > 0) {
            long perStep = (long) fixedMicroBatches * d;
            if (batch % perStep == 0) {
                out.add((int) (batch / perStep));
            }
            return out;
        }
        for (int u = 1; (long) u * d <= batch; u *= 2) {
            if (batch % (u * d) == 0) {
                out.add(u);
            }
        }
        return out;
    }

    /**
     * The micro-batch sizes c's uneven replicas may use: c's own and every other size from it to below
     * twice it that divides the batch and c's data degree (so each size belongs to one power-of-two size of
     * {@link #samplesPerReplica}); with a fixed micro-batch count, c's own only. E.g. batch 12, d = 2: 4 and 6,
     * so 3 replicas for one stage and 1 for the other are possible (6 samples: 2 per replica, and 6).
     */
    static List<Integer> replicaMicroBatchSizes(int batch, Configuration c, boolean fixedCount) {
        List<Integer> out = new ArrayList<>(List.of(c.microBatchSize()));
        for (int size = c.microBatchSize() + c.data(); !fixedCount && size < 2 * c.microBatchSize(); size += c.data()) {
            if (batch % size == 0) {
                out.add(size);
            }
        }
        return out;
    }

    private static boolean allows(int fixed, int value) {
        return fixed < 0 || fixed == value;
    }

    /** Whether every stage's consecutive device range holds one device type. */
    static boolean singleTypeStages(ClusterSpec cluster, int stages, int devicesPerStage) {
        List<ClusterDevice> devices = cluster.devices();
        for (int s = 0; s < stages; s++) {
            String type = devices.get(s * devicesPerStage).type();
            for (int k = 1; k < devicesPerStage; k++) {
                if (!devices.get(s * devicesPerStage + k).type().equals(type)) {
                    return false;
                }
            }
        }
        return true;
    }
}
