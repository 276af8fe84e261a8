/**
 * The cost model: seconds of an op's forward and backward pass on a device, of point-to-point transfers
 * and ring collectives on a cluster's links, and per-stage times built from them.
 */
package org.modelpar.simulator.cost;
