/** Chrome trace event JSON of a simulated step (opens in Perfetto and chrome://tracing). */
package org.modelpar.simulator.trace;
