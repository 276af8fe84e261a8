package org.modelpar.executor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device's bounded inbox. {@code put} blocks while it holds {@code capacity} messages; {@code take}
 * blocks until the message with the given key arrives. Capacity is the number of receives in the
 * device's program per step, so a valid program never blocks a sender forever.
 */
final class Mailbox {
    private final int capacity;
    private final RunControl control;
    private final Map<Message.Key, Message> messages = new LinkedHashMap<>();

    Mailbox(int capacity, RunControl control) {
        this.capacity = Math.max(1, capacity);
        this.control = control;
    }

    synchronized void put(Message m) throws InterruptedException {
        control.await(this, () -> messages.size() < capacity, "room in the mailbox for " + m.key());
        if (messages.putIfAbsent(m.key(), m) != null) {
            throw new IllegalStateException("duplicate message " + m.key());
        }
        notifyAll();
    }

    synchronized Message take(Message.Key key) throws InterruptedException {
        control.await(this, () -> messages.containsKey(key), "message " + key);
        Message m = messages.remove(key);
        notifyAll();
        return m;
    }
}
