package dev.signagefleet.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium (Debian's {@code chromium} and {@code chromedriver}, installed by .ci/run)
 * driven through Selenium, with screenshots under {@code target/screenshots} so a person can look
 * at what the test saw. Without the browser the tests are skipped locally and fail where
 * {@code SIGNAGE_BROWSER_TESTS=required} (.ci/run sets it), so CI never passes without running them.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("console.browser.binary", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("console.browser.driver", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriver driver;
    private final Path profile;
    private final String base;

    private Browser(ChromeDriver driver, Path profile, String base) {
        this.driver = driver;
        this.profile = profile;
        this.base = base;
    }

    /** Skips (locally) or fails (in CI) when Chromium and chromedriver are not installed. */
    static void requireInstalled() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "required".equals(System.getenv("SIGNAGE_BROWSER_TESTS"))) {
            throw new IllegalStateException("Browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": apt-get install chromium chromium-driver (.ci/run does)");
        }
        Assumptions.assumeTrue(present, "Chromium or chromedriver not installed (apt-get install chromium chromium-driver); "
                + "browser tests skipped");
    }

    static Browser open(String base, String language) throws IOException {
        Path profile = Files.createTempDirectory("console-browser-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Flags that keep Chromium off the (closed) network and quiet in a container.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--window-size=1280,900", "--lang=" + language,
                "--user-data-dir=" + profile.toAbsolutePath());
        options.setExperimentalOption("prefs", java.util.Map.of("intl.accept_languages", language));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Browser(driver, profile, base);
    }

    WebDriver driver() {
        return driver;
    }

    Object script(String javascript) {
        return driver.executeScript(javascript);
    }

    void go(String path) {
        driver.get(base + path);
    }

    String path() {
        String url = driver.getCurrentUrl();
        return url.startsWith(base) ? url.substring(base.length()) : url;
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    java.util.List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The text of an element; live parts of a page are replaced now and then, so a stale one is looked up again. */
    String text(String css) {
        return waitFor(d -> d.findElement(By.cssSelector(css)).getText(), Duration.ofSeconds(10));
    }

    /** Clicks something that loads another page and waits until that page replaced this one. */
    void clickAndLoad(String css) {
        clickAndLoad(find(css));
    }

    void clickAndLoad(WebElement element) {
        navigation(element::click);
    }

    /**
     * Runs an action that loads another page and waits for the new page: the old document is marked
     * and the wait ends once a complete document without the mark is there. (Waiting for the old
     * element to go stale makes Chrome answer "node does not belong to the document" now and then.)
     */
    void navigation(Runnable action) {
        driver.executeScript("window.signageOldPage = true;");
        action.run();
        new WebDriverWait(driver, Duration.ofSeconds(30)).ignoring(WebDriverException.class).until(d -> Boolean.TRUE.equals(
                driver.executeScript("return window.signageOldPage === undefined && document.readyState === 'complete';")));
    }

    <T> T waitFor(Function<WebDriver, T> condition, Duration timeout) {
        return new WebDriverWait(driver, timeout).ignoring(StaleElementReferenceException.class).until(condition);
    }

    void signIn(String user, String password) {
        go("/console/login");
        find("#username").clear();
        find("#username").sendKeys(user);
        find("#password").sendKeys(password);
        clickAndLoad("#login-submit");
    }

    /** Saves what the browser shows as {@code target/screenshots/<name>.png}. */
    void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
        Files.move(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
