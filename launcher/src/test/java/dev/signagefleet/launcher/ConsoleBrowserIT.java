package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.common.config.Settings;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.WebElement;

/**
 * The console in a real browser (headless Chromium) against the whole local stack with simulated
 * terminals: sign in, read the fleet, upload good and bad files, redrive a dead letter, switch
 * language. Screenshots of each step land in {@code launcher/target/screenshots}.
 */
class ConsoleBrowserIT {

    private static final String ADMIN_PASSWORD = "console-browser-admin";
    private static final Path SAMPLES = Path.of("../../shared/samples");
    private static final int DEVICES = 4;
    private static Stack stack;
    private static String base;
    private Browser browser;
    private String testName;

    @BeforeAll
    static void start() throws IOException {
        Browser.requireInstalled();
        StackOptions options = TestStacks.local(Files.createTempDirectory("console-browser-it-"), DEVICES, ADMIN_PASSWORD);
        stack = Stack.start(options, Settings.of(Map.of("SIGNAGE_SQS_MAX_RECEIVES", "2", "SIGNAGE_SQS_VISIBILITY_SEC", "5")),
                Clock.systemUTC());
        base = "http://127.0.0.1:" + stack.httpPort();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @BeforeEach
    void openBrowser(TestInfo info) throws IOException {
        testName = info.getTestMethod().orElseThrow().getName();
        browser = Browser.open(base, "en-US");
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.screenshot(testName + "-last");
            browser.close();
        }
    }

    private void shot(String step) throws IOException {
        browser.screenshot(testName + "-" + step);
    }

    @Test
    void signInShowsTheFleetAtAGlanceAndItUpdatesLive() throws IOException {
        browser.go("/console/devices");
        assertThat(browser.path()).startsWith("/console/login?next=");
        browser.signIn("admin", "not the password");
        assertThat(browser.text("#login-error")).contains("Wrong user name or password");
        shot("1-refused");

        browser.signIn("admin", ADMIN_PASSWORD);
        assertThat(browser.path()).isEqualTo("/console/");
        assertThat(browser.text("#count-total")).isEqualTo(String.valueOf(DEVICES));
        // The counts refresh over server-sent events, without reloading the page.
        WebElement live = browser.find("#dashboard-live");
        browser.waitFor(d -> browser.text("#count-online").equals(String.valueOf(DEVICES)), Duration.ofSeconds(60));
        browser.waitFor(d -> live.getAttribute("data-updated") != null, Duration.ofSeconds(10));
        assertThat(browser.all("#h-groups ~ table tbody tr")).isNotEmpty();
        shot("2-dashboard");

        browser.clickAndLoad("#logout");
        assertThat(browser.path()).startsWith("/console/login");
        browser.go("/console/");
        assertThat(browser.path()).startsWith("/console/login");
    }

    @Test
    void theDeviceTableFiltersAndADeviceShowsItsStateAndHistory() throws IOException {
        browser.signIn("admin", ADMIN_PASSWORD);
        browser.go("/console/devices");
        assertThat(browser.all("#devices-table tbody tr[data-device-id]")).hasSize(DEVICES);
        browser.find("#f-group").sendKeys("osaka");
        browser.clickAndLoad("#apply-filters");
        assertThat(browser.path()).contains("group=osaka");
        List<WebElement> rows = browser.all("#devices-table tbody tr[data-device-id]");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getText()).contains("osaka");
        assertThat(browser.find("#export-csv").getAttribute("href")).contains("/api/devices.csv").contains("group=osaka");
        shot("1-filtered");

        String deviceId = rows.get(0).getAttribute("data-device-id");
        browser.clickAndLoad(rows.get(0).findElement(org.openqa.selenium.By.cssSelector("a")));
        assertThat(browser.path()).startsWith("/console/devices/" + deviceId);
        assertThat(browser.text("#device-identity")).contains(deviceId).contains("osaka");
        browser.waitFor(d -> browser.text("#device-connectivity").contains("online"), Duration.ofSeconds(60));
        browser.waitFor(d -> !browser.all("dl#device-status").isEmpty(), Duration.ofSeconds(60));
        assertThat(browser.all("svg.chart")).hasSizeGreaterThanOrEqualTo(4);
        shot("2-device");

        // A bulk action on the selected devices, reported per device.
        browser.go("/console/devices");
        List<WebElement> boxes = browser.all("#devices-table tbody input[type=checkbox]");
        boxes.get(0).click();
        boxes.get(1).click();
        browser.clickAndLoad("#bulk-submit");
        List<WebElement> results = browser.all("#bulk-results tbody tr");
        assertThat(results).hasSize(2);
        assertThat(results).allSatisfy(r -> assertThat(r.getAttribute("data-done")).isEqualTo("true"));
        assertThat(browser.text("main h1")).isEqualTo("Sent to 2 of 2 devices");
        shot("3-bulk");

        // Move one device to another group and back; each move is reported with the groups.
        browser.go("/console/devices?group=tokyo-west");
        String mover = browser.all("#devices-table tbody tr[data-device-id]").get(0).getAttribute("data-device-id");
        for (String[] move : new String[][] {{"tokyo-west", "nagoya"}, {"nagoya", "tokyo-west"}}) {
            browser.go("/console/devices?group=" + move[0]);
            browser.find("#devices-table tbody tr[data-device-id='" + mover + "'] input[type=checkbox]").click();
            new org.openqa.selenium.support.ui.Select(browser.find("#bulk-action")).selectByValue("move-to-group");
            browser.find("#bulk-group").sendKeys(move[1]);
            browser.clickAndLoad("#bulk-submit");
            List<WebElement> moved = browser.all("#bulk-results tbody tr");
            assertThat(moved).hasSize(1);
            assertThat(moved.get(0).getAttribute("data-done")).isEqualTo("true");
            assertThat(moved.get(0).getText()).contains("moved from " + move[0] + " to " + move[1]);
            shot("4-moved-to-" + move[1]);
            browser.go("/console/devices?group=" + move[1]);
            assertThat(browser.all("#devices-table tbody tr[data-device-id='" + mover + "']")).hasSize(1);
        }

        browser.go("/console/devices?connectivity=sleeping");
        assertThat(browser.text("#filter-error")).contains("sleeping");
    }

    @Test
    void aShiftJisFileFromExcelIsCheckedUploadedAndReachesTheTerminals() throws IOException {
        browser.signIn("admin", ADMIN_PASSWORD);
        browser.go("/console/uploads/new");
        browser.find("#file").sendKeys(SAMPLES.resolve("slides_sjis.csv").toAbsolutePath().normalize().toString());
        shot("1-chosen");
        browser.clickAndLoad("#check-upload");
        assertThat(browser.text("#detected-charset")).contains("Shift_JIS");
        assertThat(browser.text("#row-count")).isEqualTo("2");
        assertThat(browser.text("#preview-table")).contains("ようこそ ① ㈱サンプル").contains("髙橋店長のおすすめ");
        assertThat(browser.all("#problems-table")).isEmpty();
        shot("2-checked");

        browser.clickAndLoad("#confirm-upload");
        assertThat(browser.path()).startsWith("/console/uploads/");
        // The journey page follows the upload live until every terminal shows it.
        browser.waitFor(d -> "DONE".equals(browser.find("#upload-status").getAttribute("data-status")), Duration.ofSeconds(90));
        assertThat(browser.text("#timeline")).contains("slides validated and stored").contains("content built")
                .contains("upload finished");
        String adoption = browser.text("#adoption");
        assertThat(adoption).matches("\\d+ of \\d+");
        String[] xy = adoption.split(" of ");
        assertThat(xy[0]).isEqualTo(xy[1]);
        shot("3-done");
        String uploadId = browser.path().replaceAll("^/console/uploads/([0-9a-f-]+).*$", "$1");

        // The contents screen shows the new version; its page previews the built player.
        browser.go("/console/contents");
        browser.clickAndLoad("#group-tokyo-east a.content-version");
        assertThat(browser.text("#manifest-slides")).contains("ようこそ ① ㈱サンプル");
        browser.driver().switchTo().frame(browser.find("#player-preview"));
        browser.waitFor(d -> d.findElement(org.openqa.selenium.By.tagName("body")).getText().contains("ようこそ"), Duration.ofSeconds(20));
        browser.driver().switchTo().defaultContent();
        shot("4-preview");

        // The event flow of this upload: who published what, who consumed it.
        browser.go("/console/flow?correlation=upload-" + uploadId);
        assertThat(browser.text("#flow-events")).contains("elements.registered.v1").contains("content-builder")
                .contains("content.registered.v1").contains("upload.finished.v1");
        shot("5-flow");
    }

    @Test
    void aBadFileShowsEveryProblemByLineAndColumnAndStoresNothing() throws IOException {
        Path bad = Files.createTempFile("bad-slides-", ".csv");
        Files.writeString(bad, """
                slide_id,title,duration_sec,target_group
                ok-1,Fine,10,tokyo-east
                ,No id,10,tokyo-east
                bad-2,Too long a wait,99999,tokyo-east
                bad-3,Not a number,ten,tokyo-east
                """, StandardCharsets.UTF_8);
        browser.signIn("admin", ADMIN_PASSWORD);
        int uploadsBefore = uploads();
        browser.go("/console/uploads/new");
        browser.find("#file").sendKeys(bad.toAbsolutePath().toString());
        browser.clickAndLoad("#check-upload");
        List<WebElement> rows = browser.all("#problems-table tbody tr");
        assertThat(rows).hasSize(3);
        assertThat(rows).extracting(WebElement::getText).anySatisfy(t -> assertThat(t).startsWith("3 slide_id"))
                .anySatisfy(t -> assertThat(t).startsWith("4 duration_sec")).anySatisfy(t -> assertThat(t).startsWith("5 duration_sec"));
        assertThat(browser.text("#check-result")).contains("3 problems");
        assertThat(browser.all("#confirm-upload")).as("no way to upload a file with problems").isEmpty();
        assertThat(browser.find("#errors-csv").getAttribute("href")).contains("/errors.csv");
        shot("1-problems");
        assertThat(uploads()).as("a checked file is not stored").isEqualTo(uploadsBefore);
    }

    @Test
    void everyScreenFitsATabletWithoutScrollingSideways() throws IOException {
        browser.signIn("admin", ADMIN_PASSWORD);
        browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(820, 1180));
        for (String path : List.of("/console/", "/console/devices", "/console/devices/sim-0001", "/console/uploads",
                "/console/uploads/new", "/console/contents", "/console/flow", "/console/alerts", "/console/dead-letters",
                "/console/users")) {
            browser.go(path);
            Object overflow = browser.script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assertThat(((Number) overflow).longValue()).as(path + " is wider than the screen").isLessThanOrEqualTo(0);
        }
        browser.go("/console/devices");
        shot("1-tablet-devices");
    }

    @Test
    void anAdminAddsAnAlertRuleAndAWebhook() throws IOException {
        browser.signIn("admin", ADMIN_PASSWORD);
        browser.go("/console/alerts");
        new org.openqa.selenium.support.ui.Select(browser.find("#rule-kind")).selectByValue("device_offline");
        browser.find("#rule-threshold").clear();
        browser.find("#rule-threshold").sendKeys("5");
        browser.clickAndLoad("#add-rule");
        assertThat(browser.text("#alert-rules-table")).contains("5");
        browser.find("#webhook-url").sendKeys("http://127.0.0.1:9/hook");
        browser.clickAndLoad("#add-webhook");
        assertThat(browser.all(".secret")).as("the webhook secret is shown once").hasSize(1);
        shot("1-webhook-secret");
    }

    @Test
    void anAdminRedrivesADeadLetter() throws IOException {
        long id = TestStacks.poisonDeadLetter(stack, "browser-poison");
        browser.signIn("admin", ADMIN_PASSWORD);
        browser.go("/console/dead-letters");
        browser.clickAndLoad("tr[data-dead-letter-id='" + id + "'] a");
        assertThat(browser.text("#dead-letter")).contains("not-a-uuid").contains("signage.elements.registered.v1");
        assertThat(browser.text("#payload")).contains("browser-poison");
        shot("1-inspect");
        browser.navigation(() -> {
            browser.find("#redrive").click();
            browser.driver().switchTo().alert().accept();
        });
        assertThat(browser.text("#dead-letter-state")).isEqualTo("redriven");
        assertThat(browser.text(".notice")).contains("Sent back to its queue");
        assertThat(browser.all("#redrive")).isEmpty();
        shot("2-redriven");
    }

    @Test
    void theConsoleSpeaksJapaneseAndRemembersIt() throws IOException {
        browser.signIn("admin", ADMIN_PASSWORD);
        browser.clickAndLoad("#lang-ja");
        assertThat(browser.path()).isEqualTo("/console/");
        assertThat(browser.find("html").getAttribute("lang")).isEqualTo("ja");
        assertThat(browser.text("main h1")).contains("フリートの概要");
        shot("1-japanese");
        browser.go("/console/uploads");
        assertThat(browser.text("main h1")).isEqualTo("スライドのアップロード");
        browser.clickAndLoad("#lang-en");
        assertThat(browser.path()).isEqualTo("/console/uploads");
        assertThat(browser.text("main h1")).isEqualTo("Slide uploads");
    }

    private static int uploads() {
        return stack.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM uploads").mapTo(Integer.class).one());
    }
}
