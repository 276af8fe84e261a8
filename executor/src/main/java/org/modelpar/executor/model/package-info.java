/**
 * The model as the executor holds it: parameters and their initialisation, optimizers, and a stage's
 * ops wired into a forward and a backward pass over boundary tensors.
 */
package org.modelpar.executor.model;
