/**
 * Plain-Java partitioners over per-block cost arrays: the exact chain partition (dynamic program),
 * PipeDream's replicated dynamic program and its chain compression of a DAG, a DeepSpeed-style parameter-balanced split and Baechi's m-ETF
 * list scheduling for DAG placement. Pure functions; no Timefold, no simulator.
 */
package org.modelpar.solver.partition;
