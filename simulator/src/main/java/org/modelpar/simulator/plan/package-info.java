/**
 * The placement plan every module shares ({@code modelpar-plan/1}): parallel configuration, stages and
 * their op and device assignment, plus the prediction and explanation stored beside it.
 */
package org.modelpar.simulator.plan;
