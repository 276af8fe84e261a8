package org.modelpar.cli.report;

/**
 * One row of the timeline and the stage charts: a stage, shown by one of its devices.
 *
 * @param label  e.g. {@code stage 0 (gpu0)}
 * @param device the device whose tracks are drawn
 */
record Row(String label, String device) {
}
