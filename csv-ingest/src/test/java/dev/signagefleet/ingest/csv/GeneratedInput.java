package dev.signagefleet.ingest.csv;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.LongFunction;

/** Files made up while they are read, so a test can stream megabytes without holding them. */
final class GeneratedInput extends InputStream {

    private final LongFunction<String> part;
    private final long parts;
    private long next;
    private byte[] current = new byte[0];
    private int pos;

    private GeneratedInput(long parts, LongFunction<String> part) {
        this.parts = parts;
        this.part = part;
    }

    /** {@code head}, then {@code filler} {@code count} times, then {@code tail}. */
    static InputStream repeated(String head, String filler, long count, String tail) {
        int perBlock = (int) Math.min(count, Math.max(1, 64 * 1024 / filler.length()));
        String block = filler.repeat(perBlock);
        long blocks = count / perBlock;
        String rest = filler.repeat((int) (count % perBlock));
        return new GeneratedInput(blocks + 3, i -> i == 0 ? head : i <= blocks ? block : i == blocks + 1 ? rest : tail);
    }

    /** A header line, then {@code count} rows made by {@code row} from their number (1, 2, ...). */
    static InputStream rows(String header, long count, LongFunction<String> row) {
        return new GeneratedInput(count + 1, i -> i == 0 ? header : row.apply(i));
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len) {
            if (pos == current.length) {
                if (next == parts) {
                    break;
                }
                current = part.apply(next++).getBytes(StandardCharsets.UTF_8);
                pos = 0;
                continue;
            }
            int chunk = Math.min(len - n, current.length - pos);
            System.arraycopy(current, pos, b, off + n, chunk);
            pos += chunk;
            n += chunk;
        }
        return n == 0 ? -1 : n;
    }
}
