/**
 * The HTML report: one self-contained file with the plan summary and explanation, the pipeline timeline
 * (simulated, and measured beside it), memory per device over time against capacity, per-stage
 * compute/communication/bubble bars and the runner-up configurations. Charts are drawn with XChart and
 * embedded as base64 PNG. Timelines and memory come from Chrome traces, so simulated and measured runs
 * are read the same way.
 */
package org.modelpar.cli.report;
