/**
 * Placement plans, the cost model, lowering of a plan to a step program, and the discrete-event
 * simulation of one training step with its report and trace.
 */
package org.modelpar.simulator;
