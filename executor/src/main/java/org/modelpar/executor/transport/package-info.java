/**
 * How the devices of a run exchange tensors: the {@link org.modelpar.executor.transport.Transport}
 * interface (point-to-point messages matched by key, bounded mailboxes, flow control), its gRPC
 * implementation for worker processes ({@link org.modelpar.executor.transport.GrpcTransport}; the
 * in-process one lives beside the executor), the wire format of tensors, and the collectives built on any
 * transport with the ring algorithms the simulator's cost model prices
 * ({@link org.modelpar.executor.transport.RingCollectives}).
 */
package org.modelpar.executor.transport;
