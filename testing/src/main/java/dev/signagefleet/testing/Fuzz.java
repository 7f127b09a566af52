package dev.signagefleet.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Bounded random testing with a reproducible seed: a check runs on a fixed number of generated
 * inputs, and a failure names the seed, the case and the input, so it can be run again. CI runs the
 * default seed; a longer hunt is {@code -Dsignage.fuzz.tries=100000 -Dsignage.fuzz.seed=42}.
 */
public final class Fuzz {

    public static final long DEFAULT_SEED = 20_261_124L;

    private Fuzz() {
    }

    /** One check of one input; anything it throws is a failure. */
    @FunctionalInterface
    public interface Check<T> {
        void check(T input) throws Exception;
    }

    public static long seed() {
        return Long.getLong("signage.fuzz.seed", DEFAULT_SEED);
    }

    /** Runs {@code check} on {@code tries} inputs (or {@code -Dsignage.fuzz.tries}); returns how many ran. */
    public static <T> int run(String name, int tries, Function<Random, T> generator, Function<T, String> describe,
                              Check<T> check) {
        long seed = seed();
        Random random = new Random(seed ^ name.hashCode());
        int n = Integer.getInteger("signage.fuzz.tries", tries);
        for (int i = 0; i < n; i++) {
            T input = generator.apply(random);
            try {
                check.check(input);
            } catch (Throwable e) {
                throw new AssertionError(name + " failed on case " + i + " of seed " + seed + " (run again with -Dsignage.fuzz.seed="
                        + seed + "): " + describe.apply(input) + ": " + e, e);
            }
        }
        return n;
    }

    /** Any bytes, up to {@code maxLength}; sometimes empty. */
    public static byte[] bytes(Random random, int maxLength) {
        byte[] bytes = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    public static <T> T pick(Random random, List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    /** A string of {@code min}..{@code max} characters from {@code alphabet}. */
    public static String string(Random random, String alphabet, int min, int max) {
        int[] codePoints = alphabet.codePoints().toArray();
        int length = min + random.nextInt(max - min + 1);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
        }
        return out.toString();
    }

    /** Any characters at all (controls, surrogates alone, non-BMP), up to {@code max}. */
    public static String anyString(Random random, int max) {
        int length = random.nextInt(max + 1);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) (random.nextInt(4) == 0 ? random.nextInt(0x80) : random.nextInt(0x10000)));
        }
        return out.toString();
    }

    /** Bytes for a failure message: text when they decode as UTF-8 without loss, else hex. */
    public static String describe(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes) && bytes.length <= 2_000) {
            return bytes.length + " bytes: \"" + text.replace("\r", "\\r").replace("\n", "\\n") + "\"";
        }
        StringBuilder hex = new StringBuilder(bytes.length + " bytes: ");
        for (int i = 0; i < Math.min(bytes.length, 512); i++) {
            hex.append(String.format("%02x", bytes[i]));
        }
        return hex.append(bytes.length > 512 ? "…" : "").toString();
    }
}
