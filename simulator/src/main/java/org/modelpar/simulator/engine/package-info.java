/**
 * The discrete-event engine that runs a {@link org.modelpar.simulator.program.StepProgram}: per device a
 * compute stream and a communication stream, dependency counters, links as resources shared max-min fairly
 * between concurrent transfers, and a memory tracker. Flat arrays and a primitive event heap keep it at
 * millions of events per second.
 */
package org.modelpar.simulator.engine;
