package dev.berth.it;

import static dev.berth.support.TestDirectory.ALICE_PASSWORD;
import static dev.berth.support.TestDirectory.CAROL_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.support.Browser;
import dev.berth.support.Closing;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestData;
import dev.berth.support.TestDirectory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The web page's sign-in in headless Chromium with directory users (auth.ldap): a member of the directory group devs
 * sees the repositories the rules give @devs, and with the directory down the form answers that berth cannot sign
 * anyone in now, not that the password is wrong.
 */
class DirectoryPageSignInTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final Closing open = new Closing();

    @Test
    void aDirectoryUserSignsInAndSeesWhatTheirGroupMayPull() {
        TestDirectory directory = open.add(TestDirectory.start());
        RunningBerth berth = open.add(RunningBerth.start(dir.resolve("data"), "auth:\n" + directory.authLdapYaml(dir)
                + """
                  rules:
                    - {repositories: ['team/*'], pull: ['@devs'], push: ['@devs']}
                private: {repositories: ['team/*']}
                """));
        berth.client().withBasic("alice", ALICE_PASSWORD).pushImage("team/app", "1", TestData.utf8("{}"),
                TestData.bytes(1000, 1));
        Browser browser = open.add(Browser.start());
        WebDriver page = browser.driver();
        String base = berth.client().base().toString().replaceAll("/$", "");

        page.get(base + "/ui/");
        browser.await(d -> d.findElements(By.id("sign-in")).size() == 1);
        signIn(browser, "alice", ALICE_PASSWORD);
        browser.await(d -> d.findElement(By.id("user")).getText().equals("alice"));
        browser.await(d -> d.findElements(By.cssSelector("#repo-rows tr")).size() == 1);
        assertEquals(List.of("team/app"), page.findElements(By.cssSelector("#repo-rows tr td:first-child a")).stream()
                .map(WebElement::getText).toList(), "devs may pull team/*");
        browser.screenshot("ui-directory-user");
        page.findElement(By.cssSelector("#session button[type=submit]")).click();
        browser.await(d -> d.findElements(By.id("sign-in")).size() == 1);

        directory.stop();
        signIn(browser, "carol", CAROL_PASSWORD);
        browser.await(d -> d.findElement(By.tagName("body")).getText().startsWith("berth cannot sign you in now"));
        assertEquals("berth cannot sign you in now: the account directory (auth.ldap) is unavailable; try again later",
                page.findElement(By.tagName("body")).getText().strip());
    }

    private static void signIn(Browser browser, String user, String password) {
        WebDriver page = browser.driver();
        page.findElement(By.id("sign-in")).click();
        browser.await(d -> d.findElement(By.id("username")).isDisplayed());
        page.findElement(By.id("username")).sendKeys(user);
        page.findElement(By.id("password")).sendKeys(password, Keys.ENTER);
    }
}
