package dev.signagefleet.management.devices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.ingest.csv.CsvCharsets;
import dev.signagefleet.ingest.csv.Problem;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.telemetry.registry.NewDevice;
import dev.signagefleet.testing.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Registering terminals from a CSV, against a real PostgreSQL: every problem by line, then all or nothing. */
class DeviceImportIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private final DeviceRegistry registry = new DeviceRegistry(db.jdbi(), Clock.systemUTC());
    private final String prefix = "imp" + UUID.randomUUID().toString().substring(0, 6);

    @Test
    void aGoodFileRegistersEveryDeviceWithItsOwnCredential() {
        String csv = "\uFEFFdevice_id,group,name,location\n" + prefix + "-1,tokyo-east,Lobby,1F\n\n" + prefix + "-2,osaka,,\n";
        DeviceImport.Checked checked = DeviceImport.check(csv.getBytes(StandardCharsets.UTF_8), registry);
        assertThat(checked.problems()).isEmpty();
        assertThat(checked.rows()).extracting(DeviceImport.Row::deviceId).containsExactly(prefix + "-1", prefix + "-2");
        List<String> taken = new ArrayList<>();
        List<DeviceImport.Imported> imported = DeviceImport.registerAll(registry, checked, "test", taken);
        assertThat(taken).isEmpty();
        assertThat(imported).hasSize(2);
        assertThat(imported.get(0).credential()).isNotEqualTo(imported.get(1).credential());
        assertThat(registry.authenticate(prefix + "-1", imported.get(0).credential())).isPresent();
        assertThat(registry.find(prefix + "-2").orElseThrow().group()).isEqualTo("osaka");
    }

    @Test
    void aShiftJisFileFromExcelKeepsItsJapaneseNames() {
        String csv = "device_id,group,name,location\r\n" + prefix + "-j,tokyo-east,受付 髙橋,１階\r\n";
        DeviceImport.Checked checked = DeviceImport.check(csv.getBytes(CsvCharsets.WINDOWS_31J), registry);
        assertThat(checked.charset()).isEqualTo(CsvCharsets.WINDOWS_31J);
        assertThat(checked.rows().get(0).name()).isEqualTo("受付 髙橋");
        assertThat(checked.rows().get(0).location()).isEqualTo("１階");
    }

    @Test
    void everyProblemIsReportedByLineAndNothingIsRegistered() {
        registry.register(new NewDevice(prefix + "-old", "osaka", null, null), "test");
        String csv = "device_id,group\n"
                + prefix + "-a,tokyo-east\n"
                + "bad id!,tokyo-east\n"
                + prefix + "-a,osaka\n"
                + prefix + "-old,osaka\n"
                + prefix + "-b\n"
                + prefix + "-c,\n"
                + "import,osaka\n";
        DeviceImport.Checked checked = DeviceImport.check(csv.getBytes(StandardCharsets.UTF_8), registry);
        assertThat(checked.ok()).isFalse();
        assertThat(checked.rows()).isEmpty();
        assertThat(checked.problems()).extracting(Problem::line, Problem::column, Problem::code).containsExactly(
                org.assertj.core.groups.Tuple.tuple(3, "device_id", "invalid"),
                org.assertj.core.groups.Tuple.tuple(4, "device_id", "duplicate_id"),
                org.assertj.core.groups.Tuple.tuple(5, "device_id", "already_registered"),
                org.assertj.core.groups.Tuple.tuple(6, "", Problem.WRONG_COLUMN_COUNT),
                org.assertj.core.groups.Tuple.tuple(7, "group", "invalid"),
                org.assertj.core.groups.Tuple.tuple(8, "device_id", "invalid"));
        assertThat(registry.find(prefix + "-a")).as("nothing registered while a line has a problem").isEmpty();
    }

    @Test
    void aFileWithoutTheRequiredColumnsSaysWhichAreMissing() {
        DeviceImport.Checked checked = DeviceImport.check("id,grp\nx,y\n".getBytes(StandardCharsets.UTF_8), registry);
        assertThat(checked.problems()).extracting(Problem::code)
                .containsExactly("unknown_column", "unknown_column", Problem.MISSING_COLUMN, Problem.MISSING_COLUMN);
        assertThat(DeviceImport.check(new byte[0], registry).problems()).extracting(Problem::code).containsExactly(Problem.EMPTY_FILE);
        assertThat(DeviceImport.check("device_id,group\n".getBytes(StandardCharsets.UTF_8), registry).problems())
                .extracting(Problem::code).containsExactly(Problem.HEADER_ONLY);
    }
}
