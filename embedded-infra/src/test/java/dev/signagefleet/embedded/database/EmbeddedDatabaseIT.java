package dev.signagefleet.embedded.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The product's embedded PostgreSQL is durable and keeps its data across restarts. */
class EmbeddedDatabaseIT {

    @Test
    void durableModeTurnsFsyncAndSynchronousCommitOnAndDataSurvivesARestart() throws Exception {
        Path dir = Files.createTempDirectory("pg-durable-");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, 0, true)) {
            assertThat(db.setting("fsync")).isEqualTo("on");
            assertThat(db.setting("synchronous_commit")).isEqualTo("on");
            assertThat(db.setting("full_page_writes")).isEqualTo("on");
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('still here')");
            }
        }
        try (EmbeddedDatabase again = EmbeddedDatabase.start(dir, 0, true);
             Connection c = DriverManager.getConnection(again.jdbcUrl(), again.user(), "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("still here");
        }
    }
}
