package org.modelpar.executor;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * The garbage collections this JVM has run: a young collection stops every thread of the process (with the executor's
 * kernels, tens of milliseconds every fraction of a second: ND4J and JavaCPP keep a deallocator record for every array,
 * and a collection copies those of the arrays allocated since the last one), so a step or a measurement a collection ran
 * through took that pause on top of its own time.
 */
public final class GarbageCollections {
    private GarbageCollections() {
    }

    /** The collections of every collector of this JVM so far. */
    public static long soFar() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }
}
