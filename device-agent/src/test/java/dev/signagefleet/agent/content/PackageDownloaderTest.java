package dev.signagefleet.agent.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signagefleet.agent.config.Secret;
import dev.signagefleet.agent.content.ContentException.Retry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real HTTP server on loopback: what is fetched, with which credential, and how each failure is classed. */
class PackageDownloaderTest {

    private static final String CREDENTIAL = "Basic " + Base64.getEncoder().encodeToString("lobby-01:s3cret".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private final ContentServer server = ContentServer.start();
    private final PackageDownloader downloader = new PackageDownloader("lobby-01", Optional.of(new Secret("s3cret")),
            Optional.empty(), "test-agent");
    private final byte[] pkg = TestPackages.player("g@1");

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void fetchesThePackageWithTheDeviceCredentialAndTheTraceparent() throws Exception {
        server.serve("/content/g/1/package.zip", pkg);

        Path file = download(assignment("/content/g/1/package.zip", pkg));

        assertThat(Files.readAllBytes(file)).isEqualTo(pkg);
        ContentServer.Request request = server.requests().get(0);
        assertThat(request.authorization()).contains(CREDENTIAL);
        assertThat(request.traceparent()).contains("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    @Test
    void withoutAPasswordNoCredentialIsSent() throws Exception {
        server.serve("/p.zip", pkg);
        PackageDownloader anonymous = new PackageDownloader("lobby-01", Optional.empty(), Optional.empty(), "test-agent");

        anonymous.download(assignment("/p.zip", pkg), dir.resolve("p.zip"), () -> false);

        assertThat(server.requests().get(0).authorization()).isEmpty();
    }

    @Test
    void aRedirectIsFollowedAndTheCredentialStaysWithItsOrigin() throws Exception {
        server.serve("/real.zip", pkg);
        server.redirect("/p.zip", "/real.zip");
        server.redirect("/elsewhere.zip", server.url("/real.zip").replace("127.0.0.1", "localhost"));

        download(assignment("/p.zip", pkg));
        download(assignment("/elsewhere.zip", pkg));

        assertThat(server.requests()).extracting(ContentServer.Request::path)
                .containsExactly("/p.zip", "/real.zip", "/elsewhere.zip", "/real.zip");
        assertThat(server.requests()).extracting(r -> r.authorization().isPresent()).containsExactly(true, true, true, false);
    }

    @Test
    void aWrongChecksumIsFinalAndSaysBothValues() {
        server.serve("/p.zip", pkg);
        String wrong = "0".repeat(64);

        assertFailure(() -> download(TestPackages.parsed(TestPackages.assignment("g@1", server.url("/p.zip"), wrong, pkg.length))),
                Retry.NEVER, "sha256 mismatch (expected " + wrong + ", got " + TestPackages.sha256(pkg) + ")");
    }

    @Test
    void aBodyLongerThanAnnouncedIsCutOffAndAShorterOneRetried() {
        server.serve("/p.zip", pkg);
        assertFailure(() -> download(TestPackages.parsed(TestPackages.assignment("g@1", server.url("/p.zip"), TestPackages.sha256(pkg), 10))),
                Retry.NEVER, "size mismatch (expected 10 bytes, server sends " + pkg.length + ")");

        server.serveChunked("/chunked.zip", pkg);
        assertFailure(() -> download(TestPackages.parsed(TestPackages.assignment("g@1", server.url("/chunked.zip"), TestPackages.sha256(pkg), 10))),
                Retry.NEVER, "size mismatch (the body exceeds the announced 10 bytes; stopped reading)");
        assertFailure(() -> download(TestPackages.parsed(TestPackages.assignment("g@1", server.url("/chunked.zip"),
                        TestPackages.sha256(pkg), pkg.length + 10))),
                Retry.SOON, "download broke off after " + pkg.length + " of " + (pkg.length + 10) + " bytes");
    }

    @Test
    void serverErrorsAndTooManyRequestsAreRetriedSoonRefusalsLater() {
        for (int status : new int[] {500, 502, 503, 429, 408}) {
            server.respond("/p.zip", status);
            assertFailure(() -> download(assignment("/p.zip", pkg)), Retry.SOON, "HTTP " + status);
        }
        for (int status : new int[] {401, 403, 404, 410, 400}) {
            server.respond("/p.zip", status);
            assertFailure(() -> download(assignment("/p.zip", pkg)), Retry.LATER, "HTTP " + status);
        }
        assertFailure(() -> download(assignment("/nothing-here.zip", pkg)), Retry.LATER, "HTTP 404 Not Found from http://127.0.0.1:");
    }

    @Test
    void anUnreachableServerIsRetriedSoon() {
        String url = server.url("/p.zip");
        server.close();

        assertFailure(() -> download(TestPackages.parsed(TestPackages.assignment("g@1", url, pkg))), Retry.SOON, "cannot fetch from 127.0.0.1:");
    }

    @Test
    void aCancelledDownloadStops() {
        server.serve("/p.zip", pkg);

        assertFailure(() -> downloader.download(assignment("/p.zip", pkg), dir.resolve("p.zip"), () -> true), Retry.NEVER,
                "download cancelled");
    }

    private ContentAssignment assignment(String path, byte[] body) {
        return TestPackages.parsed(TestPackages.assignment("g@1", server.url(path), body));
    }

    private Path download(ContentAssignment assignment) throws Exception {
        Path file = Files.createTempFile(dir, "package-", ".zip");
        Files.delete(file);
        downloader.download(assignment, file, () -> false);
        return file;
    }

    private static void assertFailure(ThrowingCallable call, Retry retry, String reasonStart) {
        assertThatThrownBy(call)
                .isInstanceOf(ContentException.class)
                .hasMessageStartingWith(reasonStart)
                .satisfies(e -> assertThat(((ContentException) e).retry()).as(reasonStart).isEqualTo(retry));
    }
}
