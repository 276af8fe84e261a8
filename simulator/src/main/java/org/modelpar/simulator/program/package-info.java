/**
 * The step program: a plan lowered to one ordered instruction list per device. The simulator's engine
 * and the executor's interpreter both run this same program, so a simulated and a measured timeline
 * line up instruction by instruction (same {@link org.modelpar.simulator.program.Instruction#name()}).
 */
package org.modelpar.simulator.program;
