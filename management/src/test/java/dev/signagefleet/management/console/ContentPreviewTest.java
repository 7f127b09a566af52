package dev.signagefleet.management.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules of the content preview: which names are package entries, their types, the policy, the signed links. */
class ContentPreviewTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "/index.html", "/etc/passwd", "../1.zip", "a/../../1.zip", "a/..", "./index.html", "a//b.js",
            "a\\..\\b", "..\\1.zip", "C:\\index.html", "c:index.html", "index.html\u0000.png", "a/\nb", "a/"})
    void namesThatCouldLeaveThePackageAreRefused(String path) {
        assertThat(PreviewFiles.entryName(path)).isEmpty();
    }

    @Test
    void plainRelativeNamesAreEntries() {
        assertThat(PreviewFiles.entryName("index.html")).hasValue("index.html");
        assertThat(PreviewFiles.entryName("images/logo.v2.png")).hasValue("images/logo.v2.png");
        assertThat(PreviewFiles.entryName("x".repeat(PreviewFiles.MAX_NAME + 1))).isEmpty();
    }

    @Test
    void entriesAreServedWithTheTypeOfTheirExtension() {
        assertThat(PreviewFiles.contentType("index.html")).isEqualTo("text/html; charset=utf-8");
        assertThat(PreviewFiles.contentType("slides.js")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(PreviewFiles.contentType("manifest.json")).isEqualTo("application/json");
        assertThat(PreviewFiles.contentType("img/Logo.PNG")).isEqualTo("image/png");
        assertThat(PreviewFiles.contentType("README")).isEqualTo("application/octet-stream");
        assertThat(PreviewFiles.contentType("page.exe")).isEqualTo("application/octet-stream");
    }

    @Test
    void thePolicyAllowsExactlyThePageOwnInlineScriptAndStyle() {
        String page = "<html><head><style>body { color: red; }</style>\r\n<script src=\"slides.js\"></script>"
                + "<SCRIPT>\r\nrun();\r\n</SCRIPT></head><body></body></html>";

        String policy = PreviewFiles.policy(page);

        assertThat(policy).startsWith("sandbox allow-scripts; default-src 'none';")
                .contains("script-src 'self' '" + PreviewFiles.sha256("\nrun();\n") + "';")
                .contains("style-src 'self' '" + PreviewFiles.sha256("body { color: red; }") + "';")
                .contains("frame-ancestors 'self'", "base-uri 'none'", "form-action 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "allow-same-origin", PreviewFiles.sha256(""));
        // The well-known hash of "alert(1)", as browsers compute it.
        assertThat(PreviewFiles.sha256("alert(1)")).isEqualTo("sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=");
        assertThat(PreviewFiles.policy(null)).contains("script-src 'self';", "style-src 'self';");
    }

    @Test
    void aSignedLinkOpensOneVersionUntilItExpires() {
        MutableClock clock = new MutableClock(Instant.parse("2025-04-01T00:00:00Z"));
        PreviewLinks links = new PreviewLinks(clock);
        String token = links.token("tokyo", 2);

        assertThat(links.valid("tokyo", 2, token)).isTrue();
        assertThat(links.valid("tokyo", 3, token)).isFalse();
        assertThat(links.valid("osaka", 2, token)).isFalse();
        assertThat(links.valid("tokyo", 2, token + "x")).isFalse();
        assertThat(links.valid("tokyo", 2, "99999999999." + token.substring(token.indexOf('.') + 1))).isFalse();
        assertThat(links.valid("tokyo", 2, "garbage")).isFalse();
        assertThat(new PreviewLinks(clock).valid("tokyo", 2, token)).as("another process's key").isFalse();

        clock.advance(PreviewLinks.VALID.minus(Duration.ofSeconds(1)));
        assertThat(links.valid("tokyo", 2, token)).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(links.valid("tokyo", 2, token)).isFalse();
    }
}
