package dev.signagefleet.ingest.csv;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The charsets a slides CSV may come in, and how one is recognised: UTF-8 (with or without BOM) and
 * Shift_JIS as Excel in Japan writes it, which is really Windows-31J (code page 932): plain
 * Shift_JIS has no ①, ㈱ or 髙, and maps ～ to a different character.
 */
public final class CsvCharsets {

    /** Windows-31J, the Shift_JIS that Windows and Excel write. */
    public static final Charset WINDOWS_31J = Charset.forName("windows-31j");

    private CsvCharsets() {
    }

    /**
     * The charset to read a file with when a user names one, as in {@code charset=Shift_JIS}. Every
     * Shift_JIS spelling means Windows-31J ({@code cp932} too, which Java would otherwise take for an
     * IBM code page).
     *
     * @throws IllegalArgumentException when the name is neither UTF-8 nor a Shift_JIS spelling (the
     *         contract: other encodings are not read, so a mistyped name never decodes a file wrongly)
     */
    public static Charset forName(String name) {
        String key = name == null ? "" : name.strip();
        switch (key.toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "shift_jis", "shiftjis", "sjis", "x_sjis", "ms932", "cp932", "windows_31j", "windows_932":
                return WINDOWS_31J;
            case "utf8", "utf_8":
                return StandardCharsets.UTF_8;
            default:
                throw new IllegalArgumentException("unsupported charset \"" + key + "\"; slide files must be UTF-8 or "
                        + "Shift_JIS (in Excel: save as \"CSV UTF-8\" or \"CSV\")");
        }
    }

    /** The charset actually used to decode a file the caller says is in {@code charset}. */
    static Charset forReading(Charset charset) {
        return charset.name().equalsIgnoreCase("Shift_JIS") ? WINDOWS_31J : charset;
    }

    static boolean startsWithUtf8Bom(byte[] bytes, int length) {
        return length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF;
    }

    /**
     * Detects the charset from the first bytes of a file: a UTF-8 BOM means UTF-8; otherwise text
     * that is valid UTF-8 is UTF-8 (plain ASCII included), text that is valid Windows-31J is
     * Windows-31J, and anything else goes to whichever of the two finds fewer invalid bytes.
     *
     * @param complete true when {@code length} bytes are the whole file, so a multi-byte character
     *                 cut off at the end is an error rather than the start of the next chunk
     */
    static Charset detect(byte[] prefix, int length, boolean complete) {
        if (startsWithUtf8Bom(prefix, length)) {
            return StandardCharsets.UTF_8;
        }
        long utf8Errors = invalidSequences(StandardCharsets.UTF_8, prefix, length, complete);
        if (utf8Errors == 0) {
            return StandardCharsets.UTF_8;
        }
        long sjisErrors = invalidSequences(WINDOWS_31J, prefix, length, complete);
        return sjisErrors < utf8Errors ? WINDOWS_31J : StandardCharsets.UTF_8;
    }

    /** {@link #detect(byte[], int, boolean)} for a whole file held in memory. */
    public static Charset detect(byte[] wholeFile) {
        return detect(wholeFile, wholeFile.length, true);
    }

    /** How many byte sequences in the prefix are not valid in the charset. */
    static long invalidSequences(Charset charset, byte[] bytes, int length, boolean complete) {
        CharsetDecoder decoder = strictDecoder(charset);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        CharBuffer out = CharBuffer.allocate(8192);
        long errors = 0;
        while (true) {
            CoderResult result = decoder.decode(in, out, complete);
            if (result.isError()) {
                errors++;
                in.position(in.position() + result.length());
            } else if (result.isOverflow()) {
                out.clear();
            } else {
                return errors;
            }
        }
    }

    /** A decoder that reports every invalid or unmappable byte sequence instead of replacing it. */
    static CharsetDecoder strictDecoder(Charset charset) {
        return charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
