package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.AdminContent;
import dev.berth.support.Htpasswd;
import dev.berth.support.Browser;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The web page in headless Chromium against a berth with mirrored, multi-arch and private content: what each visitor
 * sees, signing in, a warm job started from the form and followed to its end, a pin, and the page on a phone's
 * screen, and a session signed out elsewhere. Screenshots land in {@code target/ui-*.png}.
 */
class WebPageBrowserTest {
    @TempDir
    Path dir;

    private AdminContent content;
    private Browser browser;
    private WebDriver page;

    @BeforeEach
    void start() {
        browser = Browser.start();
        page = browser.driver();
        content = AdminContent.start(dir, """
                cache: {max-bytes: 1GiB}
                retention: {rules: [{repositories: ['team/secret-*'], keep-last: 0}]}
                """);
    }

    @AfterEach
    void stop() {
        try {
            browser.close();
        } finally {
            content.close();
        }
    }

    private String base() {
        return content.client().base().toString().replaceAll("/$", "");
    }

    /** The names the repository list shows, once it shows {@code expected} (or the wait gives up). */
    private List<String> repositoriesShown(int expected) {
        browser.await(d -> d.findElements(By.cssSelector("#repo-rows tr")).size() == expected);
        return page.findElements(By.cssSelector("#repo-rows tr td:first-child a")).stream()
                .map(WebElement::getText).toList();
    }

    private void signIn(String user, String password) {
        page.findElement(By.id("sign-in")).click();
        browser.await(d -> d.findElement(By.id("username")).isDisplayed());
        page.findElement(By.id("username")).sendKeys(user);
        page.findElement(By.id("password")).sendKeys(password, Keys.ENTER);
        browser.await(d -> d.findElements(By.id("user")).size() == 1);
        assertEquals(user, page.findElement(By.id("user")).getText());
    }

    @Test
    void anAnonymousVisitorSeesMirroredImagesOnlyAndThePageFitsAPhone() {
        page.get(base() + "/");
        browser.await(d -> d.getCurrentUrl().startsWith(base() + "/ui/"));
        assertEquals(List.of("docker.io/library/alpine", "docker.io/library/busybox"), repositoriesShown(2));
        // One page of two: nothing to page to, and the count, not "Loading…", once the rows are there.
        assertFalse(page.findElement(By.id("repo-prev")).isEnabled());
        assertFalse(page.findElement(By.id("repo-next")).isEnabled());
        assertEquals("2 repositories", page.findElement(By.id("repo-count")).getText());
        browser.screenshot("ui-anonymous");
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) page).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name);");
        assertFalse(loaded.isEmpty());
        assertTrue(loaded.stream().allMatch(url -> url.startsWith(base() + "/")), "all from berth: " + loaded);

        // The keyboard alone: the search field by its label, Enter to search, Tab and Enter to follow the link.
        WebElement search = page.findElement(By.cssSelector("label[for=q]"));
        assertEquals("Search", search.getText());
        page.findElement(By.id("q")).sendKeys("busy", Keys.ENTER);
        assertEquals(List.of("docker.io/library/busybox"), repositoriesShown(1));
        page.findElement(By.cssSelector("#repo-rows a")).sendKeys(Keys.ENTER);
        browser.await(d -> d.findElements(By.cssSelector("#tag-rows tr")).size() == 1);
        assertEquals("docker.io/library/busybox", page.findElement(By.id("repository-title")).getText());
        String platforms = page.findElement(By.cssSelector("#tag-rows td[data-label=Platforms]")).getText();
        assertTrue(platforms.contains("linux/amd64") && platforms.contains("linux/arm64 (not cached)"), platforms);
        assertEquals(content.busyboxIndex.substring(7, 19),
                page.findElement(By.cssSelector("#tag-rows td[data-label=Digest]")).getText());
        assertFalse(page.findElement(By.cssSelector("#tag-rows button")).isEnabled(), "no admin: no actions");

        browser.resize(390, 844);
        browser.await(d -> d.findElement(By.id("repository-title")).isDisplayed());
        long overflow = (Long) ((JavascriptExecutor) page).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertEquals(0, overflow, "nothing wider than a phone's screen");
        browser.screenshot("ui-phone");
    }

    @Test
    void aUserWithoutRightsDoesNotSeeThePrivateRepositoriesOfOthers() {
        page.get(base() + "/ui/");
        repositoriesShown(2);
        signIn("bob", Htpasswd.BOB_PASSWORD);
        assertEquals(List.of("docker.io/library/alpine", "docker.io/library/busybox", "team/app"),
                repositoriesShown(3));
        page.get(base() + "/ui/#/repo/team%2Fsecret-db");
        browser.await(d -> !d.findElement(By.id("status")).getText().isEmpty());
        assertEquals("no repository team/secret-db", page.findElement(By.id("status")).getText());

        String saved = "berth_session=" + page.manage().getCookieNamed("berth_session").getValue();
        page.findElement(By.cssSelector("#session button[type=submit]")).click();
        browser.await(d -> d.findElements(By.id("sign-in")).size() == 1);
        assertEquals(List.of("docker.io/library/alpine", "docker.io/library/busybox"), repositoriesShown(2),
                "signed out: anonymous again");
        assertEquals(401, content.client().get("/api/v1/me", "Cookie", saved).statusCode(),
                "a saved copy of the cookie is refused");

        // Signed out elsewhere (another tab, another instance): the page shows the visitor as anonymous, no error.
        signIn("bob", Htpasswd.BOB_PASSWORD);
        repositoriesShown(3);
        String current = "berth_session=" + page.manage().getCookieNamed("berth_session").getValue();
        assertEquals(303, content.client().send("POST", "/ui/logout", new byte[0], "Cookie", current).statusCode());
        page.navigate().refresh();
        browser.await(d -> d.findElements(By.id("sign-in")).size() == 1);
        assertEquals(List.of("docker.io/library/alpine", "docker.io/library/busybox"), repositoriesShown(2));
        assertEquals("", page.findElement(By.id("status")).getText());
    }

    @Test
    void anAdministratorSignsInWarmsAnImageAndPinsATag() {
        page.get(base() + "/ui/");
        repositoriesShown(2);
        page.findElement(By.id("sign-in")).click();
        browser.await(d -> d.findElement(By.id("username")).isDisplayed());
        page.findElement(By.id("username")).sendKeys("alice");
        page.findElement(By.id("password")).sendKeys("wrong", Keys.ENTER);
        browser.await(d -> d.findElement(By.id("login-failed")).isDisplayed());
        signIn("alice", Htpasswd.ALICE_PASSWORD);
        assertEquals(List.of("docker.io/library/alpine", "docker.io/library/busybox", "team/app", "team/secret-db"),
                repositoriesShown(4));

        page.findElement(By.cssSelector("nav a[data-section=warm]")).click();
        page.findElement(By.id("warm-images")).sendKeys("library/nginx:1");
        page.findElement(By.cssSelector("#warm-form button[type=submit]")).click();
        browser.await(d -> d.findElements(By.cssSelector("#jobs li[data-state=succeeded]")).size() == 1);
        String job = page.findElement(By.cssSelector("#jobs li[data-state=succeeded]")).getText();
        // Its config and two layers.
        assertTrue(job.contains("library/nginx:1") && job.contains("3 of 3 blobs"), job);
        browser.screenshot("ui-warm");
        page.findElement(By.id("warm-images")).sendKeys("library/nosuch:9");
        page.findElement(By.cssSelector("#warm-form button[type=submit]")).click();
        browser.await(d -> d.findElements(By.cssSelector("#jobs li[data-state=failed] p.error")).size() == 1);
        String failure = page.findElement(By.cssSelector("#jobs li[data-state=failed] p.error")).getText();
        String prefix = "library/nosuch:9: ";
        assertTrue(failure.startsWith(prefix) && !failure.substring(prefix.length()).contains("nosuch:9"),
                () -> "the image named once: " + failure);

        // Warmed, so cached: listed once the catalog is walked again (at most RepositoryCatalog.FRESH later).
        page.findElement(By.cssSelector("nav a[data-section=repositories]")).click();
        browser.await(d -> {
            d.findElement(By.cssSelector("#search button")).click();
            return d.findElements(By.linkText("docker.io/library/nginx")).size() == 1;
        });
        browser.screenshot("ui-repositories");

        page.get(base() + "/ui/#/repo/docker.io%2Flibrary%2Fbusybox");
        browser.await(d -> d.findElements(By.cssSelector("#tag-rows tr")).size() == 1);
        page.findElement(By.cssSelector("#tag-rows button[aria-label='Pin 1.36']")).click();
        // The page says so once the tags are shown again.
        browser.await(d -> d.findElement(By.id("status")).getText().equals("Pinned docker.io/library/busybox:1.36"));
        assertEquals("yes", page.findElement(By.cssSelector("#tag-rows td[data-label=Pinned]")).getText());
        browser.screenshot("ui-tags");

        page.findElement(By.cssSelector("nav a[data-section=cache]")).click();
        browser.await(d -> d.findElements(By.cssSelector("#cache-body .card")).size() == 3);
        String cache = page.findElement(By.id("cache-body")).getText();
        assertTrue(cache.contains("docker.io") && cache.contains("answering")
                && cache.contains("of the 1.0 GiB budget (cache.max-bytes)"), cache);
        browser.screenshot("ui-cache");
    }

    @Test
    void anAdministratorSeesWhatRetentionWouldRemoveThenRunsARound() {
        page.get(base() + "/ui/");
        repositoriesShown(2);
        signIn("alice", Htpasswd.ALICE_PASSWORD);
        page.findElement(By.cssSelector("nav a[data-section=retention]")).click();
        String row = "#retention-body tr[data-repository='team/secret-db']";
        browser.await(d -> d.findElements(By.cssSelector(row)).size() == 1);
        // Its one tag, named 1: keep-last 0 keeps none.
        assertEquals("1", page.findElement(By.cssSelector(row + " td[data-label='Tags would remove']")).getText());
        assertTrue(page.findElement(By.cssSelector(row)).getText().contains("every tag of team/secret-db goes"));
        assertTrue(page.findElement(By.id("retention-body")).getText().contains("none yet on this instance"));
        browser.screenshot("ui-retention");

        page.findElement(By.id("retention-round")).click();
        browser.await(d -> d.findElement(By.id("status")).getText().startsWith("A retention round starts now"));
        // The section again (route() is what a visit runs) until it shows the last round beside the dry run.
        browser.await(d -> {
            ((JavascriptExecutor) d).executeScript("route()");
            return d.findElements(By.cssSelector("#retention-body table")).size() == 2;
        });
        String lastRound = "#retention-body table:last-of-type tr[data-repository='team/secret-db']";
        assertEquals("1", page.findElement(By.cssSelector(lastRound + " td[data-label='Tags removed']")).getText());
        assertEquals("none", page.findElement(By.cssSelector(row + " td[data-label='Tags would remove']")).getText(),
                "the round removed the tag, so the next would remove none");
    }
}
