package dev.signagefleet.ingest.csv;

import java.util.Arrays;

/**
 * The slide ids seen so far in a file and the line each was first seen on, packed for a million ids
 * and more. Ids are ASCII (validated before they get here), so each is kept as a length byte, its
 * bytes and its line in one growing array; an open-addressing table holds each id's hash beside its
 * position, so a lookup compares bytes only when the hashes match. Measured in SeenSlideIdsTest:
 * about 35 bytes per id of 9 characters, where a {@code HashMap<String, Integer>} takes about 105.
 */
final class SeenSlideIds implements RepeatedIds {

    /** Largest array the JVM reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    /** Table slots at first; the table doubles to keep at most half of its slots in use, so lookups stay short. */
    private static final int FIRST_SLOTS = 1024;

    private byte[] ids = new byte[16 * 1024];
    /** Next free position in {@link #ids}; 0 is never used, so that 0 marks a free slot. */
    private int idsEnd = 1;
    /** Two ints per slot: the id's hash and its position in {@link #ids} (0 = free). */
    private int[] table = new int[2 * FIRST_SLOTS];
    private int size;
    private boolean full;

    /**
     * Remembers that {@code id} (ASCII, at most 255 characters) is on {@code line} and returns 0, or
     * returns the line it was first seen on.
     */
    @Override
    public int firstLine(String id, int line) {
        int hash = hash(id);
        int mask = table.length / 2 - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            int at = table[2 * slot + 1];
            if (at == 0) {
                add(slot, hash, id, line);
                return 0;
            }
            if (table[2 * slot] == hash && sameId(at, id)) {
                return lineAt(at);
            }
        }
    }

    private void add(int slot, int hash, String id, int line) {
        int length = id.length();
        if (full || !roomFor(1 + length + 4)) {
            full = true;
            return;
        }
        ids[idsEnd] = (byte) length;
        for (int i = 0; i < length; i++) {
            ids[idsEnd + 1 + i] = (byte) id.charAt(i);
        }
        int end = idsEnd + 1 + length;
        ids[end] = (byte) (line >>> 24);
        ids[end + 1] = (byte) (line >>> 16);
        ids[end + 2] = (byte) (line >>> 8);
        ids[end + 3] = (byte) line;
        table[2 * slot] = hash;
        table[2 * slot + 1] = idsEnd;
        idsEnd = end + 4;
        if (++size > table.length / 4) {
            grow();
        }
    }

    private boolean roomFor(int bytes) {
        if (idsEnd + bytes <= ids.length) {
            return true;
        }
        if ((long) idsEnd + bytes > MAX_ARRAY || table.length >= 1 << 29) {
            return false;
        }
        ids = Arrays.copyOf(ids, (int) Math.min(MAX_ARRAY, Math.max(2L * ids.length, idsEnd + bytes)));
        return true;
    }

    private void grow() {
        int[] oldTable = table;
        table = new int[2 * oldTable.length];
        int mask = table.length / 2 - 1;
        for (int old = 0; old < oldTable.length; old += 2) {
            if (oldTable[old + 1] != 0) {
                int slot = oldTable[old] & mask;
                while (table[2 * slot + 1] != 0) {
                    slot = (slot + 1) & mask;
                }
                table[2 * slot] = oldTable[old];
                table[2 * slot + 1] = oldTable[old + 1];
            }
        }
    }

    private int lineAt(int at) {
        int end = at + 1 + (ids[at] & 0xFF);
        return (ids[end] & 0xFF) << 24 | (ids[end + 1] & 0xFF) << 16 | (ids[end + 2] & 0xFF) << 8 | (ids[end + 3] & 0xFF);
    }

    private boolean sameId(int at, String id) {
        int length = id.length();
        if ((ids[at] & 0xFF) != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (ids[at + 1 + i] != (byte) id.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** String's hash spread over all bits (murmur3's finaliser), as ids like s-000001 differ little. */
    private static int hash(String id) {
        int h = id.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    @Override
    public String warning() {
        return full ? "stopped checking slide_id for duplicates after " + CellPreview.number(size) + " ids: too many to remember"
                : null;
    }

    /** Ids remembered. */
    int size() {
        return size;
    }

    /** True when ids stopped being remembered because the arrays reached the JVM's limit. */
    boolean full() {
        return full;
    }

    /** Bytes held by the arrays, for tests and logs. */
    long footprintBytes() {
        return ids.length + 4L * table.length;
    }
}
