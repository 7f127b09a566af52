package dev.signagefleet.launcher.stack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactTest {

    @Test
    void passwordsInUrlsAreMasked() {
        assertThat(Redact.url("jdbc:postgresql://db:5432/signage?user=app&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/signage?user=app&password=****&ssl=true");
        assertThat(Redact.url("tcp://svc:hunter2@broker:1883")).isEqualTo("tcp://svc:****@broker:1883");
        assertThat(Redact.url("jdbc:postgresql://db/signage")).isEqualTo("jdbc:postgresql://db/signage");
    }
}
