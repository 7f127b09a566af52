package dev.signagefleet.ingest.csv;

import java.nio.charset.Charset;

/**
 * Recognises, from their first bytes, files people upload instead of a CSV: Excel workbooks, UTF-16
 * text (what Excel calls "Unicode Text") and binary files such as images. One clear problem is more
 * use than a thousand about garbled rows.
 */
final class NonCsvFiles {

    /** Bytes looked at to tell text from binary. */
    static final int SNIFF_BYTES = 8192;
    /** Text files have next to no control bytes; random or compressed data has about one in nine. */
    private static final int MAX_CONTROL_BYTES_PERCENT = 5;

    private static final String SAVE_AS = "in Excel choose Save As, \"CSV UTF-8 (Comma delimited)\", and upload that file";

    private NonCsvFiles() {
    }

    /** Records a problem and returns true when the file is not a CSV text file at all. */
    static boolean report(byte[] prefix, int length, Charset charset, ProblemLog problems) {
        if (startsWith(prefix, length, 'P', 'K', 3, 4)) {
            problems.add(0, null, Problem.BINARY_DATA, "the file is a ZIP archive, most likely an Excel workbook "
                    + "(.xlsx), not a CSV file; " + SAVE_AS);
            return true;
        }
        if (startsWith(prefix, length, 0xD0, 0xCF, 0x11, 0xE0)) {
            problems.add(0, null, Problem.BINARY_DATA, "the file is an Excel 97-2003 workbook (.xls), not a CSV "
                    + "file; " + SAVE_AS);
            return true;
        }
        boolean utf16 = startsWith(prefix, length, 0xFF, 0xFE) || startsWith(prefix, length, 0xFE, 0xFF);
        if (utf16 && !charset.name().startsWith("UTF-16")) {
            problems.add(0, null, Problem.BAD_ENCODING, "the file is UTF-16 text (Excel's \"Unicode Text\"), "
                    + "which is not accepted; " + SAVE_AS);
            return true;
        }
        if (!utf16 && !charset.name().startsWith("UTF-16") && !charset.name().startsWith("UTF-32")
                && looksBinary(prefix, length)) {
            problems.add(0, null, Problem.BINARY_DATA, "the file is not CSV text: its first bytes are binary data "
                    + "(control characters); upload a CSV file saved as UTF-8 or Shift_JIS");
            return true;
        }
        return false;
    }

    private static boolean looksBinary(byte[] prefix, int length) {
        int sample = Math.min(length, SNIFF_BYTES);
        int control = 0;
        for (int i = 0; i < sample; i++) {
            int b = prefix[i] & 0xFF;
            if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F) {
                control++;
            }
        }
        return control * 100L > sample * (long) MAX_CONTROL_BYTES_PERCENT;
    }

    private static boolean startsWith(byte[] prefix, int length, int... magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((prefix[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
