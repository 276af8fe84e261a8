/**
 * The model as the executor holds it: parameters and their initialisation, optimizers, and a stage's
 * ops wired into a forward and a backward pass over boundary tensors, run whole or (ZeRO stage 3) unit by unit, with
 * the order in which the units' parameters are gathered ({@link org.modelpar.executor.model.GatherOrder}).
 */
package org.modelpar.executor.model;
