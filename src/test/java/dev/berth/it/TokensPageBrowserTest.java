package dev.berth.it;

import static dev.berth.support.RegistryAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Browser;
import dev.berth.support.Htpasswd;
import dev.berth.support.RunningBerth;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;

/**
 * The page's Tokens in headless Chromium: a signed-in user creates an access token, sees its secret once and the token
 * in the list, the secret logs a registry client in, and Revoke ends it at once. A screenshot lands in
 * {@code target/ui-tokens.png}.
 */
class TokensPageBrowserTest {
    @TempDir
    Path dir;

    @Test
    void aSignedInUserCreatesSeesAndRevokesAToken() {
        Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        try (RunningBerth berth = RunningBerth.start(dir.resolve("data"), """
                auth:
                  htpasswd: '%s'
                  rules:
                    - {repositories: ['team/*'], pull: [alice], push: [alice]}
                private: {repositories: ['team/*']}
                """.formatted(htpasswd)); Browser browser = Browser.start()) {
            WebDriver page = browser.driver();
            String base = "http://127.0.0.1:" + berth.port();
            page.get(base + "/ui/#/tokens");
            browser.await(d -> d.findElement(By.id("token-count")).getText().startsWith("Sign in"));
            page.findElement(By.id("sign-in")).click();
            browser.await(d -> d.findElement(By.id("username")).isDisplayed());
            page.findElement(By.id("username")).sendKeys("alice");
            page.findElement(By.id("password")).sendKeys(Htpasswd.ALICE_PASSWORD, Keys.ENTER);
            browser.await(d -> d.findElements(By.id("user")).size() == 1);

            page.findElement(By.cssSelector("nav a[data-section=tokens]")).click();
            browser.await(d -> d.findElement(By.id("token-count")).getText().equals("No access tokens yet."));
            page.findElement(By.id("token-name")).sendKeys("ci-page");
            page.findElement(By.id("token-repositories")).sendKeys("team/*");
            page.findElement(By.cssSelector("#token-form input[value=push]")).click();
            page.findElement(By.cssSelector("#token-form button[type=submit]")).click();
            browser.await(d -> d.findElement(By.id("token-created")).isDisplayed());
            String secret = page.findElement(By.id("token-secret")).getText();
            assertTrue(secret.startsWith("berth_"), secret);
            assertEquals("docker login 127.0.0.1:" + berth.port() + " -u ci-page --password-stdin",
                    page.findElement(By.id("token-login")).getText());
            browser.await(d -> d.findElements(By.cssSelector("#token-rows tr")).size() == 1);
            assertEquals("pull, push",
                    page.findElement(By.cssSelector("#token-rows td[data-label=Actions]")).getText());
            assertEquals("never", page.findElement(By.cssSelector("#token-rows td[data-label='Last used']")).getText());
            browser.screenshot("ui-tokens");
            assertEquals(202, berth.client().withBasic("ci-page", secret)
                    .send("POST", "/v2/team/app/blobs/uploads/", null).statusCode());

            // A wrong name is refused with the server's reason on the status line.
            page.findElement(By.id("token-name")).sendKeys("Bad Name");
            page.findElement(By.id("token-repositories")).clear();
            page.findElement(By.id("token-repositories")).sendKeys("team/*");
            page.findElement(By.cssSelector("#token-form button[type=submit]")).click();
            browser.await(d -> d.findElement(By.id("status")).getText().startsWith("name 'Bad Name' is not valid"));

            page.findElement(By.cssSelector("#token-rows button.danger")).click();
            browser.await(d -> d.findElement(By.id("token-count")).getText().equals("No access tokens yet."));
            assertError(berth.client().withBasic("ci-page", secret).get("/v2/"), 401, "UNAUTHORIZED");
        }
    }
}
