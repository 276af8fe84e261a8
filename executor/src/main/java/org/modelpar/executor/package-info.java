/**
 * Executes a step program for real with ND4J on local devices (worker threads), measures it, and
 * profiles the local hardware.
 */
package org.modelpar.executor;
