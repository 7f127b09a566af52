/**
 * Reading and checking uploaded slides CSV files, streaming: {@link dev.signagefleet.ingest.csv.SlideCsvReader}
 * reads a file once, hands each valid {@link dev.signagefleet.ingest.csv.Slide} to a
 * {@link dev.signagefleet.ingest.csv.SlideSink} and reports every {@link dev.signagefleet.ingest.csv.Problem}
 * with its line and column; {@link dev.signagefleet.ingest.csv.ProblemReport} writes them as
 * {@code errors.csv} and {@link dev.signagefleet.ingest.csv.SlideCsvWriter} writes slides back out.
 *
 * <h2>The CSV contract</h2>
 * <pre>
 * slide_id,title,body,image_url,duration_sec,start_at,end_at,target_group,priority
 * welcome,Welcome,"Welcome to our store!
 * Open daily 10:00-20:00",https://example.com/img/welcome.png,10,2026-12-01 09:00,,,60
 * </pre>
 * <ul>
 *   <li>A header row is required. Columns are found by name, in any order; names are trimmed and
 *       compared without case; a BOM before the first name is ignored. Unknown columns are ignored
 *       with a warning; a name given twice is a problem (the first one is checked). Without
 *       {@code slide_id}, {@code title} or {@code duration_sec} the rows are counted, not checked.</li>
 *   <li>{@code slide_id}: required, 1 to 64 of {@code A-Z a-z 0-9 - _}, unique in the file. An id (or
 *       {@code target_group}) written as {@code '-x}, as the exports escape a leading minus, is read as
 *       {@code -x}.
 *       {@code title}: required, at most 200 characters. {@code body}: at most 2,000 characters,
 *       may span lines. {@code image_url}: an absolute http(s) URL with a host, at most 2,000
 *       characters. {@code duration_sec}: required, a whole number from 1 to 3600.
 *       {@code start_at}, {@code end_at}: optional; ISO-8601 with or without offset
 *       ({@code 2026-12-01T09:00:00+09:00}), {@code 2026-12-01 09:00}, {@code 2026/12/01 9:00} or
 *       {@code 2026/12/1 9:00} (seconds optional, no date without a time);
 *       without offset the fleet's zone applies (Asia/Tokyo unless configured); years 1970 to 9999
 *       ({@code out_of_range} otherwise); the end must be after the start. {@code target_group}: empty for every group, else like an id. {@code priority}:
 *       0 to 100, 50 when empty.</li>
 *   <li>Cells are kept as written. Ids, group names, numbers, dates and URLs are trimmed (spaces,
 *       tabs and the ideographic space U+3000 at either end) before they are checked, and stored
 *       trimmed: a person never means a space in those. Titles and bodies are not trimmed; a title of
 *       only spaces counts as empty. Empty {@code body}, {@code image_url} and {@code target_group}
 *       become {@code null}. Line breaks inside a cell become {@code \n} whether the file used CRLF
 *       or LF, so the same sheet saved on Windows or a Mac gives the same slides. Lengths count
 *       characters (code points). Numbers may carry a zero fraction ({@code 10.00}, as a formatted
 *       spreadsheet cell exports), nothing else. A title or body that starts with one or more
 *       apostrophes followed by {@code =}, {@code +}, {@code -} or {@code @} is read with one apostrophe
 *       less: the exports add one to such a cell (a spreadsheet would run it as a formula), so an
 *       exported file uploads again unchanged.</li>
 *   <li>Charset: UTF-8 with or without BOM, or Shift_JIS as Excel writes it, read as Windows-31J so
 *       that ①, ㈱, 髙, half-width kana and ～ survive. Detected from the first MiB (a BOM means
 *       UTF-8; valid UTF-8 is UTF-8; valid Windows-31J is Windows-31J) unless the caller names one
 *       (the API takes UTF-8 or a Shift_JIS spelling and refuses other names).
 *       The rest is decoded strictly: invalid bytes are a {@code bad_encoding} problem on their line,
 *       never garbled text. A byte order mark inside the file (as when two files are joined) is
 *       removed with a warning. Workbooks (.xlsx, .xls) and UTF-16 text are refused with one problem.</li>
 *   <li>Lines end in CRLF, LF or CR. Quoting follows RFC 4180 as opencsv reads it: a cell in quotes
 *       may hold commas, line breaks and doubled quotes. opencsv also reads quotes in the middle of an
 *       unquoted cell leniently (each one opens or closes a quoted part); the reader warns about
 *       those. A quote still open at the end of the file is {@code unclosed_quote} on the line where
 *       its cell starts.</li>
 *   <li>Blank rows (nothing but commas) are skipped with a warning. A row with fewer cells than the
 *       header has empty cells at the end; one with more is {@code wrong_column_count}.</li>
 *   <li>Bounds (see {@link dev.signagefleet.ingest.csv.CsvLimits}): a cell over 64 Ki characters is
 *       {@code cell_too_large} and streamed past without being kept; more than 100 header columns is
 *       {@code too_many_columns}; a row keeps at most 1 Mi characters; cells of unknown columns are not
 *       kept at all; at most 10,000 problems are kept, the rest counted. Control characters other than
 *       tab and line breaks are {@code binary_data}; in the first line they mean the file is not CSV
 *       and reading stops there.</li>
 *   <li>Line numbers are physical lines of the file, the header being line 1. A row's problems carry
 *       the line where the row starts; {@code bad_encoding} and {@code binary_data} the line of the
 *       offending bytes; {@code cell_too_large} and {@code unclosed_quote} the line where the cell
 *       starts; problems of the whole file line 0.</li>
 * </ul>
 */
package dev.signagefleet.ingest.csv;
