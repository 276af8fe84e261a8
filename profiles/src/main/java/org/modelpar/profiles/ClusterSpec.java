package org.modelpar.profiles;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A cluster: devices grouped in nodes, an intra-node link class (e.g. NVLink) and an inter-node link class
 * (each device's share of its node's NICs, one direction). Nodes may carry their own links (heterogeneous
 * clusters); a transfer between two nodes runs at the slower of their inter-node links. Devices keep their
 * declaration order; lookups by id are O(1).
 */
public final class ClusterSpec {
    private final String name;
    private final List<ClusterDevice> devices;
    private final LinkProfile intraNode;
    private final LinkProfile interNode;
    private final Map<String, NodeLinks> nodeLinks;
    private final Map<String, Double> computeCapacity;
    private final Map<String, String> hosts;
    private final Map<String, LinkProfile> processLinks;
    private final Map<String, ClusterDevice> byId;
    private final Map<String, List<ClusterDevice>> nodes;
    private final long totalMemoryBytes;

    /** A cluster whose nodes all use the cluster-wide links. */
    public ClusterSpec(String name, List<ClusterDevice> devices, LinkProfile intraNode, LinkProfile interNode) {
        this(name, devices, intraNode, interNode, Map.of());
    }

    /**
     * @param name      cluster name
     * @param devices   all devices, node by node
     * @param intraNode default link between two devices of one node
     * @param interNode default per-device share of a node's NICs
     * @param nodeLinks links of the nodes that differ from the defaults, by node name
     */
    public ClusterSpec(String name, List<ClusterDevice> devices, LinkProfile intraNode, LinkProfile interNode,
                       Map<String, NodeLinks> nodeLinks) {
        this(name, devices, intraNode, interNode, nodeLinks, Map.of());
    }

    /**
     * @param computeCapacity for nodes whose devices share one host (CPU workers): how many devices' worth of
     *                        compute the node delivers when all of them compute at once (between 1 and its
     *                        device count); nodes not named have independent devices (GPUs)
     */
    public ClusterSpec(String name, List<ClusterDevice> devices, LinkProfile intraNode, LinkProfile interNode,
                       Map<String, NodeLinks> nodeLinks, Map<String, Double> computeCapacity) {
        this(name, devices, intraNode, interNode, nodeLinks, computeCapacity, Map.of());
    }

    /**
     * @param hosts the machine each named node is (a host name or address, as workers and
     *              {@code modelpar profile --hosts} reach it), by node name; nodes not named have no host
     */
    public ClusterSpec(String name, List<ClusterDevice> devices, LinkProfile intraNode, LinkProfile interNode,
                       Map<String, NodeLinks> nodeLinks, Map<String, Double> computeCapacity, Map<String, String> hosts) {
        this(name, devices, intraNode, interNode, nodeLinks, computeCapacity, hosts, Map.of());
    }

    /**
     * @param processLinks for nodes whose devices may run as one worker process each on the node's machine: the
     *                     link between two such processes (their transport on loopback), by node name; a node's
     *                     intra-node link is that between its devices as threads of one process
     */
    public ClusterSpec(String name, List<ClusterDevice> devices, LinkProfile intraNode, LinkProfile interNode,
                       Map<String, NodeLinks> nodeLinks, Map<String, Double> computeCapacity, Map<String, String> hosts,
                       Map<String, LinkProfile> processLinks) {
        if (name == null || name.isBlank()) {
            throw new ProfileException("cluster name must be a non-empty string, got '" + name + "'");
        }
        if (devices == null || devices.isEmpty()) {
            throw new ProfileException("cluster '" + name + "' has no devices");
        }
        if (intraNode == null || interNode == null) {
            throw new ProfileException("cluster '" + name + "': intraNode and interNode links are required");
        }
        this.name = name;
        this.devices = List.copyOf(devices);
        this.intraNode = intraNode;
        this.interNode = interNode;
        Map<String, ClusterDevice> ids = new HashMap<>(this.devices.size() * 2);
        Map<String, List<ClusterDevice>> byNode = new LinkedHashMap<>();
        long memory = 0;
        for (ClusterDevice d : this.devices) {
            if (ids.putIfAbsent(d.id(), d) != null) {
                throw new ProfileException("cluster '" + name + "': duplicate device id '" + d.id() + "'");
            }
            byNode.computeIfAbsent(d.node(), k -> new ArrayList<>()).add(d);
            memory = Checked.add(memory, d.profile().memoryBytes(), "cluster '" + name + "': total memoryBytes");
        }
        byNode.replaceAll((k, v) -> List.copyOf(v));
        Map<String, NodeLinks> links = new LinkedHashMap<>(Objects.requireNonNullElse(nodeLinks, Map.of()));
        for (String node : links.keySet()) {
            if (!byNode.containsKey(node)) {
                throw new ProfileException("cluster '" + name + "': links given for unknown node '" + node
                        + "'; nodes: " + String.join(", ", byNode.keySet()));
            }
        }
        this.byId = Collections.unmodifiableMap(ids);
        this.nodes = Collections.unmodifiableMap(byNode);
        this.nodeLinks = Collections.unmodifiableMap(links);
        Map<String, Double> capacity = new LinkedHashMap<>(Objects.requireNonNullElse(computeCapacity, Map.of()));
        capacity.forEach((node, c) -> {
            List<ClusterDevice> on = byNode.get(node);
            if (on == null) {
                throw new ProfileException("cluster '" + name + "': computeCapacity given for unknown node '" + node
                        + "'; nodes: " + String.join(", ", byNode.keySet()));
            }
            if (c == null || !Double.isFinite(c) || c < 1 || c > on.size()) {
                throw new ProfileException("cluster '" + name + "': node '" + node + "' computeCapacity must be between 1 and "
                        + "its " + on.size() + " devices, got " + c);
            }
        });
        this.computeCapacity = Collections.unmodifiableMap(capacity);
        Map<String, String> hostOf = new LinkedHashMap<>(Objects.requireNonNullElse(hosts, Map.of()));
        hostOf.forEach((node, host) -> {
            if (!byNode.containsKey(node)) {
                throw new ProfileException("cluster '" + name + "': host given for unknown node '" + node
                        + "'; nodes: " + String.join(", ", byNode.keySet()));
            }
            if (host == null || host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
                throw new ProfileException("cluster '" + name + "': node '" + node + "' host must be a name or address"
                        + " without spaces, got '" + host + "'");
            }
        });
        this.hosts = Collections.unmodifiableMap(hostOf);
        Map<String, LinkProfile> process = new LinkedHashMap<>(Objects.requireNonNullElse(processLinks, Map.of()));
        process.forEach((node, link) -> {
            if (!byNode.containsKey(node) || link == null) {
                throw new ProfileException("cluster '" + name + "': process link given for unknown node '" + node
                        + "'; nodes: " + String.join(", ", byNode.keySet()));
            }
        });
        this.processLinks = Collections.unmodifiableMap(process);
        this.totalMemoryBytes = memory;
    }

    public String name() {
        return name;
    }

    /** All devices, node by node, in declaration order. */
    public List<ClusterDevice> devices() {
        return devices;
    }

    /** The cluster-wide default intra-node link. */
    public LinkProfile intraNode() {
        return intraNode;
    }

    /** The cluster-wide default inter-node link (per-device share of a node's NICs). */
    public LinkProfile interNode() {
        return interNode;
    }

    /** Links of the nodes that override the cluster-wide defaults, by node name. */
    public Map<String, NodeLinks> nodeLinks() {
        return nodeLinks;
    }

    /** Shared-host compute capacities, by node name (nodes not named have independent devices). */
    public Map<String, Double> computeCapacity() {
        return computeCapacity;
    }

    /** This cluster with {@code capacity} as the compute capacity of its nodes (see the constructor). */
    public ClusterSpec withComputeCapacity(Map<String, Double> capacity) {
        return new ClusterSpec(name, devices, intraNode, interNode, nodeLinks, capacity, hosts, processLinks);
    }

    /** The measured links between two worker processes of a node, by node name (see the constructor). */
    public Map<String, LinkProfile> processLinks() {
        return processLinks;
    }

    /**
     * This cluster as its devices run when each is a worker process: a node with a process link uses it as its
     * intra-node link; other nodes keep theirs.
     */
    public ClusterSpec asWorkerProcesses() {
        Map<String, NodeLinks> links = new LinkedHashMap<>(nodeLinks);
        processLinks.forEach((node, link) -> links.put(node, new NodeLinks(link, linksOf(node).interNode())));
        return new ClusterSpec(name, devices, intraNode, interNode, links, computeCapacity, hosts, processLinks);
    }

    /** The machines of the nodes that name one, by node name. */
    public Map<String, String> hosts() {
        return hosts;
    }

    /** The machine node {@code node} is, when the cluster names it. */
    public Optional<String> hostOf(String node) {
        return Optional.ofNullable(hosts.get(node));
    }

    /** The effective links of a node (its own, or the cluster-wide defaults). */
    public NodeLinks linksOf(String node) {
        NodeLinks own = nodeLinks.get(node);
        return own != null ? own : new NodeLinks(intraNode, interNode);
    }

    /** The device with this id, in O(1). */
    public Optional<ClusterDevice> device(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Node names in declaration order, each with its devices. */
    public Map<String, List<ClusterDevice>> nodes() {
        return nodes;
    }

    /** Distinct device profiles by type name, in declaration order. */
    public Map<String, DeviceProfile> deviceTypes() {
        Map<String, DeviceProfile> types = new LinkedHashMap<>();
        devices.forEach(d -> types.putIfAbsent(d.type(), d.profile()));
        return Collections.unmodifiableMap(types);
    }

    /**
     * The link between two devices: the node's intra-node link when they share a node, else the slower of the
     * two nodes' inter-node links (lower bandwidth, higher latency).
     */
    public LinkProfile link(ClusterDevice a, ClusterDevice b) {
        if (a.node().equals(b.node())) {
            return linksOf(a.node()).intraNode();
        }
        LinkProfile x = linksOf(a.node()).interNode();
        LinkProfile y = linksOf(b.node()).interNode();
        return new LinkProfile(Math.min(x.bandwidthBytesPerSecond(), y.bandwidthBytesPerSecond()),
                Math.max(x.latencySeconds(), y.latencySeconds()));
    }

    /**
     * Whether this cluster is this machine's CPU workers, which the executor can train on: every device sits
     * on node {@link LocalCluster#NODE} (as {@code local:N} and the profiler's measured profile place them).
     */
    public boolean localWorkers() {
        return nodes.size() == 1 && nodes.containsKey(LocalCluster.NODE);
    }

    /** Sum of all devices' memory (checked for overflow at construction). */
    public long totalMemoryBytes() {
        return totalMemoryBytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterSpec c && name.equals(c.name) && devices.equals(c.devices)
                && intraNode.equals(c.intraNode) && interNode.equals(c.interNode) && nodeLinks.equals(c.nodeLinks)
                && hosts.equals(c.hosts) && processLinks.equals(c.processLinks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, devices, intraNode, interNode, nodeLinks, hosts, processLinks);
    }

    @Override
    public String toString() {
        return "ClusterSpec[" + name + ", " + devices.size() + " devices on " + nodes.size() + " nodes]";
    }
}
