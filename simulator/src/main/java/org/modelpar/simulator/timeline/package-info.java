/**
 * One timeline for a simulated and a measured step: {@link org.modelpar.simulator.timeline.Timeline} (spans
 * of instructions on their devices' streams, memory samples), {@link org.modelpar.simulator.timeline.TimelineStats}
 * (busy, exposed communication, bubble, critical path) and {@link org.modelpar.simulator.timeline.Comparison}
 * (predicted against measured). The engine produces timelines, the executor's workers append to a
 * {@link org.modelpar.simulator.timeline.Timeline.Builder}, and {@code simulator.trace} writes and reads them.
 */
package org.modelpar.simulator.timeline;
