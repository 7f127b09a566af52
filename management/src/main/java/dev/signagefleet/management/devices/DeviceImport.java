package dev.signagefleet.management.devices;

import com.opencsv.CSVParserBuilder;
import com.opencsv.CSVReader;
import com.opencsv.CSVReaderBuilder;
import com.opencsv.exceptions.CsvException;
import dev.signagefleet.ingest.csv.CsvCharsets;
import dev.signagefleet.ingest.csv.Problem;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Registering many terminals from one CSV ({@code device_id,group[,name][,location]}), with the
 * same per-line problem report as slide uploads: every problem by line and column, and nothing
 * registered while any line has one. UTF-8 (with or without BOM) or Shift_JIS as Excel saves it.
 */
public final class DeviceImport {

    public static final int MAX_BYTES = 2 * 1024 * 1024;
    /** Each device costs a credential hash: a few seconds for a file this size. */
    public static final int MAX_ROWS = 2_000;
    static final List<String> COLUMNS = List.of("device_id", "group", "name", "location");

    private DeviceImport() {
    }

    /** A line that passed the format checks. */
    public record Row(int line, String deviceId, String group, String name, String location) {
    }

    /** What the file holds: its rows, or the problems that stop all of them. */
    public record Checked(Charset charset, List<Row> rows, List<Problem> problems) {

        public boolean ok() {
            return problems.isEmpty() && !rows.isEmpty();
        }
    }

    /** One registered terminal and its credential, shown once. */
    public record Imported(Row row, String credential) {
    }

    /** Reads and checks the whole file, including ids that are already registered or repeated in it. */
    public static Checked check(byte[] bytes, DeviceRegistry registry) {
        List<Problem> problems = new ArrayList<>();
        if (bytes.length > MAX_BYTES) {
            problems.add(new Problem(0, "", "file_too_large", "the file has " + bytes.length + " bytes; at most " + MAX_BYTES
                    + " are accepted (split it)"));
            return new Checked(StandardCharsets.UTF_8, List.of(), problems);
        }
        Charset charset = CsvCharsets.detect(bytes); // the slide files' rule: UTF-8 (BOM or not) or Shift_JIS
        String text = new String(bytes, charset);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String[]> records;
        try (CSVReader reader = new CSVReaderBuilder(new StringReader(text))
                .withCSVParser(new CSVParserBuilder().withStrictQuotes(false).build()).build()) {
            records = reader.readAll();
        } catch (IOException | CsvException e) {
            problems.add(new Problem(0, "", Problem.UNCLOSED_QUOTE, "the file is not valid CSV: " + e.getMessage()));
            return new Checked(charset, List.of(), problems);
        }
        if (records.isEmpty()) {
            problems.add(new Problem(1, "", Problem.EMPTY_FILE, "the file is empty; the first line names the columns "
                    + String.join(",", COLUMNS)));
            return new Checked(charset, List.of(), problems);
        }
        Map<String, Integer> column = new HashMap<>();
        String[] header = records.get(0);
        for (int i = 0; i < header.length; i++) {
            String name = header[i].trim().toLowerCase(Locale.ROOT);
            if (!COLUMNS.contains(name)) {
                problems.add(new Problem(1, header[i], "unknown_column", "unknown column '" + header[i] + "'; the columns are "
                        + String.join(", ", COLUMNS)));
            } else if (column.putIfAbsent(name, i) != null) {
                problems.add(new Problem(1, name, Problem.DUPLICATE_COLUMN, "column " + name + " appears twice"));
            }
        }
        for (String required : List.of("device_id", "group")) {
            if (!column.containsKey(required)) {
                problems.add(new Problem(1, required, Problem.MISSING_COLUMN, "the column " + required + " is missing"));
            }
        }
        if (!problems.isEmpty()) {
            return new Checked(charset, List.of(), problems);
        }
        if (records.size() - 1 > MAX_ROWS) {
            problems.add(new Problem(0, "", "too_many_rows", "the file has " + (records.size() - 1) + " devices; at most "
                    + MAX_ROWS + " per file"));
            return new Checked(charset, List.of(), problems);
        }
        List<Row> rows = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int r = 1; r < records.size(); r++) {
            int line = r + 1;
            String[] cells = records.get(r);
            if (cells.length == 1 && cells[0].isBlank()) {
                continue; // a blank line
            }
            if (cells.length != header.length) {
                problems.add(new Problem(line, "", Problem.WRONG_COLUMN_COUNT, "the line has " + cells.length
                        + " cells; the header has " + header.length));
                continue;
            }
            Row row = new Row(line, cell(cells, column.get("device_id")), cell(cells, column.get("group")),
                    cell(cells, column.get("name")), cell(cells, column.get("location")));
            int before = problems.size();
            for (String problem : DeviceRegistration.problems(row.deviceId(), row.group(), row.name(), row.location())) {
                String field = problem.substring(0, problem.indexOf(' '));
                problems.add(new Problem(line, field.equals("deviceId") ? "device_id" : field, "invalid", problem));
            }
            if (row.deviceId() != null && !seen.add(row.deviceId())) {
                problems.add(new Problem(line, "device_id", "duplicate_id", "device " + row.deviceId()
                        + " appears on an earlier line of this file"));
            } else if (row.deviceId() != null && problems.size() == before && registry.find(row.deviceId()).isPresent()) {
                problems.add(new Problem(line, "device_id", "already_registered", "device " + row.deviceId()
                        + " is already registered; give it a new credential on its page instead"));
            }
            if (problems.size() == before) {
                rows.add(row);
            }
        }
        if (rows.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem(2, "", Problem.HEADER_ONLY, "the file has a header but no devices"));
        }
        return new Checked(charset, problems.isEmpty() ? rows : List.of(), problems);
    }

    /**
     * Registers every row of a checked file, each in its own transaction. A device registered by
     * someone else between the check and now is reported in {@code taken} and skipped; a row the
     * database refused (it went away mid-file) too, with the reason, so the credentials of the rows
     * that were registered are still shown rather than lost with an error page.
     */
    public static List<Imported> registerAll(DeviceRegistry registry, Checked checked, String registeredBy, List<String> taken) {
        List<Imported> imported = new ArrayList<>();
        for (Row row : checked.rows()) {
            DeviceRegistration.Outcome outcome;
            try {
                outcome = DeviceRegistration.register(registry, row.deviceId(), row.group(), row.name(), row.location(),
                        registeredBy);
            } catch (RuntimeException e) {
                taken.add(row.deviceId() + " (not registered: " + e.getMessage() + ")");
                continue;
            }
            if (outcome instanceof DeviceRegistration.Outcome.Registered registered) {
                imported.add(new Imported(row, registered.registration().credential()));
            } else {
                taken.add(row.deviceId());
            }
        }
        return imported;
    }

    private static String cell(String[] cells, Integer index) {
        return index == null ? null : DeviceRegistration.optional(cells[index]);
    }
}
