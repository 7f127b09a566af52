package dev.signagefleet.agent.buffer;

import dev.signagefleet.agent.logging.DeviceLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The bounded store-and-forward queue of outgoing statuses. Every message is appended here first
 * and removed only once the broker has acknowledged it, so a broker outage or an agent restart
 * loses nothing. One small file per message ({@code 0000000000000000042.json}), written to a
 * temporary file and renamed, so a crash never leaves half a message; file names keep the order
 * across restarts.
 *
 * <p>When full, the oldest message is dropped and counted ({@link #dropped()}). When the
 * directory cannot be written (disk full, read-only, removed), messages are kept in memory under
 * the same bound and the problem is logged once, until writing works again.
 *
 * <p>Not thread-safe: confined to the agent's serial executor.
 */
public final class StatusBuffer {

    private static final String SUFFIX = ".json";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final int NAME_DIGITS = 19;

    private final Path dir;
    private final int capacity;
    private final DeviceLog log;
    /** Oldest first, keyed by the ever-increasing index that is also the file name. */
    private final TreeMap<Long, Entry> entries = new TreeMap<>();
    private long nextIndex;
    private long dropped;
    private boolean diskFailing;
    private boolean overflowing;

    /** A message on disk ({@code payload} null, read when sent) or only in memory ({@code file} null). */
    private record Entry(Path file, byte[] payload) {
    }

    private StatusBuffer(Path dir, int capacity, DeviceLog log) {
        this.dir = dir;
        this.capacity = capacity;
        this.log = log;
    }

    /**
     * Opens the buffer in {@code dir}, creating it if needed and taking over the messages a
     * previous run left there. Never fails: an unusable directory means a memory-only buffer.
     */
    public static StatusBuffer open(Path dir, int capacity, String deviceId) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        StatusBuffer buffer = new StatusBuffer(dir, capacity, new DeviceLog(StatusBuffer.class, deviceId));
        buffer.recover();
        return buffer;
    }

    private void recover() {
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(TEMP_SUFFIX)) {
                        Files.deleteIfExists(file); // a write interrupted by a crash, never renamed: not a message
                    } else if (name.endsWith(SUFFIX)) {
                        indexOf(name).ifPresentOrElse(index -> entries.put(index, new Entry(file, null)),
                                () -> log.warn("ignoring unexpected file in the status buffer: " + file));
                    }
                }
            }
            nextIndex = entries.isEmpty() ? 1 : entries.lastKey() + 1;
            while (entries.size() > capacity) {
                dropOldest(); // buffer.max.messages was lowered since the last run
            }
            if (!entries.isEmpty()) {
                log.info(entries.size() + " statuses from before the restart are waiting in " + dir + " and will be sent");
            }
        } catch (IOException | RuntimeException e) {
            diskFailing = true;
            nextIndex = Math.max(nextIndex, 1);
            log.error("status buffer directory " + dir.toAbsolutePath() + " is not usable (" + e
                    + "); statuses are kept in memory only until it is");
        }
    }

    private static Optional<Long> indexOf(String fileName) {
        String digits = fileName.substring(0, fileName.length() - SUFFIX.length());
        if (digits.length() != NAME_DIGITS || !digits.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(digits));
    }

    /** Appends a message, dropping the oldest when full; returns its index. */
    public long append(byte[] payload) {
        if (entries.size() >= capacity) {
            dropOldest();
        } else {
            overflowing = false;
        }
        long index = nextIndex++;
        entries.put(index, write(index, payload));
        return index;
    }

    private Entry write(long index, byte[] payload) {
        Path file = dir.resolve(String.format("%0" + NAME_DIGITS + "d", index) + SUFFIX);
        Path temp = dir.resolve(file.getFileName() + TEMP_SUFFIX);
        try {
            if (diskFailing) {
                Files.createDirectories(dir); // it may have been removed and can come back
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(payload);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true); // the rename below must not become visible before the content
            }
            move(temp, file);
            if (diskFailing) {
                diskFailing = false;
                log.info("status buffer directory " + dir.toAbsolutePath() + " is writable again");
            }
            return new Entry(file, null);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            if (!diskFailing) {
                diskFailing = true;
                log.error("cannot write to the status buffer directory " + dir.toAbsolutePath() + " (" + e
                        + "); keeping statuses in memory (at most " + capacity + ") until it works again");
            }
            return new Entry(null, payload);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void dropOldest() {
        Map.Entry<Long, Entry> oldest = entries.pollFirstEntry();
        deleteFile(oldest.getValue());
        dropped++;
        if (!overflowing) {
            overflowing = true;
            log.warn("status buffer full (" + capacity + " messages, see buffer.max.messages): dropping the oldest;"
                    + " the count is reported as droppedWhileOffline");
        }
    }

    /** The index of the oldest message after {@code index} (use 0 for the very oldest). */
    public Optional<Long> firstAfter(long index) {
        return Optional.ofNullable(entries.higherKey(index));
    }

    /**
     * The bytes of a message; empty if it is gone or its file can no longer be read, in which
     * case it is removed (a message that cannot be read now never will be).
     */
    public Optional<byte[]> payload(long index) {
        Entry entry = entries.get(index);
        if (entry == null) {
            return Optional.empty();
        }
        if (entry.payload() != null) {
            return Optional.of(entry.payload());
        }
        try {
            return Optional.of(Files.readAllBytes(entry.file()));
        } catch (IOException e) {
            log.error("buffered status " + entry.file() + " cannot be read (" + e + "); it is skipped");
            entries.remove(index);
            deleteQuietly(entry.file());
            return Optional.empty();
        }
    }

    /** Forgets a message once the broker has it (or has refused it for good). */
    public void remove(long index) {
        Entry entry = entries.remove(index);
        if (entry != null) {
            deleteFile(entry);
        }
    }

    private void deleteFile(Entry entry) {
        if (entry.file() == null) {
            return;
        }
        try {
            Files.deleteIfExists(entry.file());
        } catch (IOException e) {
            // left behind, it is sent again after a restart: a duplicate the consumer drops
            log.warn("cannot delete sent status " + entry.file() + ": " + e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing more to do: a leftover temp file is removed at the next start
        }
    }

    public int size() {
        return entries.size();
    }

    /** Messages dropped by this process because the buffer was full. */
    public long dropped() {
        return dropped;
    }

    /** True while the directory cannot be written and new messages live in memory only. */
    public boolean isMemoryOnly() {
        return diskFailing;
    }
}
