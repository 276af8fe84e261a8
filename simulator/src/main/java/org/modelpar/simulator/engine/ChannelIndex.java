package org.modelpar.simulator.engine;

import java.util.Arrays;

/**
 * Dense ids for non-negative {@code long} keys (open addressing with a multiplicative hash), so
 * per-channel tables can be plain arrays. No boxing, no allocation per lookup.
 */
final class ChannelIndex {
    private long[] keys = new long[1024];
    private int[] ids = new int[1024];
    private int size;

    ChannelIndex() {
        Arrays.fill(keys, -1);
    }

    int size() {
        return size;
    }

    /** The id of {@code key}, assigning the next id on first sight. */
    int id(long key) {
        int slot = find(key);
        if (keys[slot] == key) {
            return ids[slot];
        }
        if (2 * (size + 1) > keys.length) {
            rehash();
            slot = find(key);
        }
        keys[slot] = key;
        ids[slot] = size;
        return size++;
    }

    /** The id of {@code key}, or -1. */
    int get(long key) {
        int slot = find(key);
        return keys[slot] == key ? ids[slot] : -1;
    }

    private int find(long key) {
        int mask = keys.length - 1;
        int slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        while (keys[slot] != -1 && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void rehash() {
        long[] oldKeys = keys;
        int[] oldIds = ids;
        keys = new long[oldKeys.length * 2];
        ids = new int[oldKeys.length * 2];
        Arrays.fill(keys, -1);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != -1) {
                int slot = find(oldKeys[i]);
                keys[slot] = oldKeys[i];
                ids[slot] = oldIds[i];
            }
        }
    }
}
