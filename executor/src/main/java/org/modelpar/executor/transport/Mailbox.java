package org.modelpar.executor.transport;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device's bounded inbox. {@code put} blocks while it holds {@code capacity} messages; {@code take}
 * blocks until the message with the given key arrives. The executor sizes it to the device's receives
 * per step plus what a ring collective can have in flight, so a valid program never blocks a sender forever.
 */
public final class Mailbox {
    private final int capacity;
    private final Map<Message.Key, Message> messages = new LinkedHashMap<>();

    public Mailbox(int capacity) {
        this.capacity = Math.max(1, capacity);
    }

    /** Chunks of one ring collective a member may have in flight: it is at most two ring steps ahead of its successor. */
    public static final int RING_CHUNKS_AHEAD = 2;

    /**
     * Room for a step's receives, two chunks of every ring the device belongs to, and two more (a device in no ring
     * still never blocks a sender that ran ahead).
     */
    public static int capacityFor(int receivesPerStep, int rings) {
        return receivesPerStep + RING_CHUNKS_AHEAD * (rings + 1);
    }

    public synchronized void put(Message m, Waits waits) throws InterruptedException {
        waits.await(this, () -> messages.size() < capacity, "room in the mailbox for " + m.key());
        offer(m);
    }

    /** Puts {@code m} when there is room, without waiting; returns whether it did. */
    public synchronized boolean offer(Message m) {
        if (messages.size() >= capacity) {
            return false;
        }
        if (messages.putIfAbsent(m.key(), m) != null) {
            throw new IllegalStateException("duplicate message " + m.key());
        }
        notifyAll();
        return true;
    }

    public synchronized Message take(Message.Key key, Waits waits) throws InterruptedException {
        waits.await(this, () -> messages.containsKey(key), "message " + key);
        Message m = messages.remove(key);
        notifyAll();
        return m;
    }
}
