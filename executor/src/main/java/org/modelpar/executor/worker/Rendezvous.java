package org.modelpar.executor.worker;

import java.util.Map;
import java.util.Optional;

/**
 * Where a worker process finds its coordinator and who it is.
 *
 * @param coordinatorHost host of the coordinator
 * @param coordinatorPort its port
 * @param rank            this process's rank: it runs the rank-th device program of the plan
 * @param worldSize       the number of worker processes, one per device of the plan
 */
public record Rendezvous(String coordinatorHost, int coordinatorPort, int rank, int worldSize) {
    /** Port of the coordinator when an address names none. */
    public static final int DEFAULT_PORT = 29500;

    public Rendezvous {
        if (worldSize < 1) {
            throw new IllegalArgumentException("world size must be at least 1, got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank must be in [0, " + worldSize + "), got " + rank);
        }
        if (coordinatorPort < 1 || coordinatorPort > 65535) {
            throw new IllegalArgumentException("coordinator port must be in [1, 65535], got " + coordinatorPort);
        }
    }

    /** {@code host:port} of the coordinator. */
    public String coordinator() {
        return coordinatorHost + ":" + coordinatorPort;
    }

    /** Whether the coordinator is on this machine's loopback (workers then serve on loopback only). */
    public boolean loopback() {
        return coordinatorHost.equals("127.0.0.1") || coordinatorHost.equals("localhost");
    }

    /**
     * Resolves the rendezvous from flags, else from the environment the launchers set, in this order:
     * {@code MODELPAR_COORDINATOR}/{@code MODELPAR_RANK}/{@code MODELPAR_WORLD_SIZE}; Slurm's
     * {@code SLURM_PROCID}/{@code SLURM_NTASKS} (coordinator: the first host of
     * {@code SLURM_JOB_NODELIST}); a Kubernetes Indexed Job's {@code JOB_COMPLETION_INDEX} with
     * {@code MODELPAR_JOB} and the headless service {@code MODELPAR_SERVICE} (coordinator: the pod of
     * index 0, {@code <job>-0.<service>}) and {@code MODELPAR_WORLD_SIZE}.
     *
     * @throws IllegalArgumentException naming the variable that is missing or malformed
     */
    public static Rendezvous resolve(Optional<String> coordinator, Optional<Integer> rank, Optional<Integer> worldSize,
                                     Map<String, String> env) {
        String address = coordinator.or(() -> Optional.ofNullable(env.get("MODELPAR_COORDINATOR")))
                .or(() -> Optional.ofNullable(env.get("SLURM_JOB_NODELIST")).map(Rendezvous::firstSlurmHost))
                .or(() -> Optional.ofNullable(env.get("MODELPAR_SERVICE"))
                        .map(s -> required(env, "MODELPAR_JOB") + "-0." + s))
                .orElseThrow(() -> new IllegalArgumentException("no coordinator: give --coordinator HOST:PORT or set "
                        + "MODELPAR_COORDINATOR (or run under Slurm, or a Kubernetes Indexed Job with MODELPAR_SERVICE)"));
        int r = rank.or(() -> integer(env, "MODELPAR_RANK")).or(() -> integer(env, "SLURM_PROCID"))
                .or(() -> integer(env, "JOB_COMPLETION_INDEX"))
                .orElseThrow(() -> new IllegalArgumentException("no rank: give --rank or set MODELPAR_RANK, SLURM_PROCID or JOB_COMPLETION_INDEX"));
        int n = worldSize.or(() -> integer(env, "MODELPAR_WORLD_SIZE")).or(() -> integer(env, "SLURM_NTASKS"))
                .orElseThrow(() -> new IllegalArgumentException("no world size: give --world-size or set MODELPAR_WORLD_SIZE or SLURM_NTASKS"));
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        int port = colon < 0 ? DEFAULT_PORT : parse("coordinator port", address.substring(colon + 1));
        return new Rendezvous(host, port, r, n);
    }

    /**
     * The first host of a Slurm node list: {@code node[03-05,9],gpu1} gives {@code node03}.
     *
     * @throws IllegalArgumentException naming the list when its first host is empty or its bracket unclosed or empty
     */
    static String firstSlurmHost(String nodeList) {
        String first = nodeList.trim().split(",(?![^\\[]*\\])")[0];
        int bracket = first.indexOf('[');
        int close = first.indexOf(']', Math.max(0, bracket));
        String host = bracket < 0 ? first
                : close < 0 ? "" : first.substring(0, bracket) + first.substring(bracket + 1, close).split("[,-]", 2)[0];
        if (host.isEmpty() || bracket >= 0 && (close < 0 || host.length() == bracket)) {
            throw new IllegalArgumentException("SLURM_JOB_NODELIST must start with a host (name, or prefix[range]), got '"
                    + nodeList + "'");
        }
        return host;
    }

    private static Optional<Integer> integer(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(v -> parse(name, v));
    }

    private static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(name + " is not set (needed with MODELPAR_SERVICE)");
        }
        return v;
    }

    private static int parse(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
        }
    }
}
