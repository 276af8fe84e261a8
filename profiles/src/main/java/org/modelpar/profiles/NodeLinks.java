package org.modelpar.profiles;

/**
 * The links of one node of a cluster: how its devices talk to each other ({@code intraNode}) and their share
 * of the node's network adapters towards other nodes ({@code interNode}). Heterogeneous clusters give each
 * node its own; homogeneous clusters use the cluster-wide defaults.
 *
 * @param intraNode link between two devices of this node
 * @param interNode per-device share of this node's NICs, one direction
 */
public record NodeLinks(LinkProfile intraNode, LinkProfile interNode) {
    public NodeLinks {
        if (intraNode == null || interNode == null) {
            throw new ProfileException("node links need both intraNode and interNode");
        }
    }
}
