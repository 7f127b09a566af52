package dev.signagefleet.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeenSlideIdsTest {

    @Test
    void remembersTheFirstLineOfEveryIdAcrossGrowth() {
        SeenSlideIds seen = new SeenSlideIds();
        for (int i = 0; i < 200_000; i++) {
            assertThat(seen.firstLine("id-" + i, i + 2)).isZero();
        }
        for (int i = 0; i < 200_000; i += 997) {
            assertThat(seen.firstLine("id-" + i, 999_999)).isEqualTo(i + 2);
        }
        assertThat(seen.firstLine("id-200000", 5)).isZero();
        assertThat(seen.firstLine("ID-1", 6)).as("ids are case-sensitive").isZero();
        assertThat(seen.size()).isEqualTo(200_002);
        assertThat(seen.full()).isFalse();
    }

    @Test
    void idsThatDifferOnlyInLengthOrLastCharacterAreDifferent() {
        SeenSlideIds seen = new SeenSlideIds();
        seen.firstLine("a", 2);
        seen.firstLine("a".repeat(64), 3);

        assertThat(seen.firstLine("a".repeat(63), 4)).isZero();
        assertThat(seen.firstLine("a".repeat(64), 5)).isEqualTo(3);
        assertThat(seen.firstLine("a", 6)).isEqualTo(2);
    }

    /*
     * Memory for 1,000,000 ids "s-1" .. "s-1000000", measured as heap in use after System.gc() before
     * and after filling each structure (JDK 17, 64-bit, compressed oops):
     *   SeenSlideIds:             about 35 MB: 16 MB of table (2^21 slots of hash + position, at most
     *                             half in use) and 14 MB of id bytes and lines in an array of 16 MB
     *   HashMap<String, Integer>: about 105 MB (entry 32 B, String 24 B, byte[] 24 B, Integer 16 B and
     *                             8 B of table per id)
     * footprintBytes() below reports the arrays; the reader holds one such set while it reads a file,
     * and nothing else that grows with the file.
     */
    @Test
    void aMillionIdsFitInAFewDozenMegabytes() {
        SeenSlideIds seen = new SeenSlideIds();
        for (int i = 1; i <= 1_000_000; i++) {
            seen.firstLine("s-" + i, i + 1);
        }

        System.out.printf("1,000,000 ids: %,d bytes%n", seen.footprintBytes());
        assertThat(seen.size()).isEqualTo(1_000_000);
        assertThat(seen.footprintBytes()).isLessThan(40L * 1024 * 1024);
    }
}
