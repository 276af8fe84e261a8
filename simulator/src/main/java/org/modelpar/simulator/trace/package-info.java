/**
 * Chrome trace event JSON of a {@link org.modelpar.simulator.timeline.Timeline}, simulated or measured
 * (opens in Perfetto and chrome://tracing): {@link org.modelpar.simulator.trace.ChromeTraceWriter} writes
 * one, {@link org.modelpar.simulator.trace.ChromeTraceReader} reads it back against the step program.
 */
package org.modelpar.simulator.trace;
