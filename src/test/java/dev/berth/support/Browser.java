package dev.berth.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium from Debian's {@code chromium}, driven through Debian's {@code chromium-driver} by Selenium: both
 * named by path, so Selenium Manager never runs and nothing is downloaded. Screenshots go to {@code target/}.
 */
public final class Browser implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Starts a headless browser of a desktop window's size; skips (fails on CI) without the Debian packages. */
    public static Browser start() {
        Path chromium = Tools.require("chromium", "chromium");
        Path chromedriver = Tools.require("chromedriver", "chromium-driver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // As root (CI), Chromium runs only without its sandbox; /dev/shm may be small in containers.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        return new Browser(new ChromeDriver(service, options));
    }

    public WebDriver driver() {
        return driver;
    }

    /**
     * Waits (at most 30 seconds) until {@code condition} gives something other than null or false; an element the
     * page replaced while the condition read it counts as not yet.
     */
    public <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(condition);
    }

    /** Resizes the window's viewport, as a phone's would be. */
    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves what the browser shows as {@code target/<name>.png}; returns the file. */
    public Path screenshot(String name) {
        Path file = Path.of("target", name + ".png");
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
