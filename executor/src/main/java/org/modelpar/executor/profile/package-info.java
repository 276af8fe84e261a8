/**
 * The hardware profiler: measures this machine's CPU workers with ND4J (matrix-multiply efficiency
 * curve, element-wise memory bandwidth, transfer bandwidth and latency between two workers, kernel times)
 * with warm-up, repetitions and medians, and writes a {@code modelpar-cluster/1} profile.
 */
package org.modelpar.executor.profile;
