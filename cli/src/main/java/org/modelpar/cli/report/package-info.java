/**
 * The HTML report: one self-contained file with the plan summary and explanation, the pipeline timeline
 * (simulated, and measured beside it), memory per device over time against capacity, per-stage
 * compute/communication/bubble bars and the runner-up configurations. Charts are drawn with XChart and
 * embedded as base64 PNG. Simulated and measured steps are both a simulator
 * {@link org.modelpar.simulator.timeline.Timeline} (a measured one read back from its Chrome trace), drawn
 * the same way.
 */
package org.modelpar.cli.report;
