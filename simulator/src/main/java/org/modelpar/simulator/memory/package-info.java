/**
 * The analytical memory model: bytes per device of a plan (parameters, gradients, optimizer state,
 * stashed activations, workspace). The event engine's memory tracker reaches the same peak.
 */
package org.modelpar.simulator.memory;
