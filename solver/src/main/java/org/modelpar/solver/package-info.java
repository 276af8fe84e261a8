/**
 * Placement search: exact chain partitioners, list-scheduling baselines, the Timefold placement model
 * and the outer search over parallel configurations.
 */
package org.modelpar.solver;
