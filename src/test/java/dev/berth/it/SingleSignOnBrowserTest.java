package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Browser;
import dev.berth.support.FreePort;
import dev.berth.support.Htpasswd;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The page's single sign-on in headless Chromium through a real OpenID Connect provider (NAV's mock-oauth2-server,
 * started here on loopback, with its own sign-in form): a user of the provider signs in, the groups claim decides what
 * the rules let them see, signing out ends berth's session (and goes by the provider's sign-out); a callback that is
 * not the browser's sign-in and a provider that is down each end on a page saying so.
 */
class SingleSignOnBrowserTest {
    private static final String ISSUER_ID = "team";

    @TempDir
    Path dir;

    private MockOAuth2Server provider;
    private Browser browser;
    private WebDriver page;

    @BeforeEach
    void start() {
        provider = new MockOAuth2Server(new OAuth2Config(true));
        provider.start(InetAddress.getLoopbackAddress(), 0);
        browser = Browser.start();
        page = browser.driver();
    }

    @AfterEach
    void stop() {
        try {
            browser.close();
        } finally {
            provider.shutdown();
        }
    }

    /** berth with alice (its own account), private team/* repositories, and single sign-on through {@code issuer}. */
    private RunningBerth berth(String issuer) throws IOException {
        Path secret = Files.writeString(dir.resolve("oidc.secret"), "a-client-secret\n");
        return RunningBerth.start(dir.resolve("data"), """
                auth:
                  htpasswd: '%s'
                  oidc:
                    issuer: '%s'
                    client-id: berth
                    client-secret-file: '%s'
                    timeout: 3s
                  rules:
                    - {repositories: ['team/secret-*'], pull: [alice, '@admins'], push: [alice]}
                    - {repositories: ['team/*'], pull: [alice, '@devs'], push: [alice]}
                audit: {path: '%s'}
                """.formatted(Htpasswd.aliceAndBob(dir.resolve("htpasswd")), issuer, secret,
                dir.resolve("audit.jsonl")));
    }

    private String issuer() {
        return provider.issuerUrl(ISSUER_ID).toString();
    }

    private static String base(RunningBerth berth) {
        return "http://127.0.0.1:" + berth.port();
    }

    private List<String> repositoriesShown(int expected) {
        browser.await(d -> d.findElements(By.cssSelector("#repo-rows tr")).size() == expected);
        return page.findElements(By.cssSelector("#repo-rows tr td:first-child a")).stream()
                .map(WebElement::getText).toList();
    }

    /** From berth's sign-in view through the provider's form as {@code user} with {@code claims} (JSON). */
    private void signInAtProvider(String user, String claims) {
        // The session box is drawn again as the page loads: click the link once it is there to stay.
        browser.await(d -> {
            List<WebElement> link = d.findElements(By.id("sign-in"));
            link.forEach(WebElement::click);
            return !link.isEmpty();
        });
        browser.await(d -> d.findElement(By.id("sso-sign-in")).isDisplayed());
        page.findElement(By.id("sso-sign-in")).click();
        browser.await(d -> d.getCurrentUrl().startsWith(issuer() + "/authorize"));
        page.findElement(By.name("username")).sendKeys(user);
        page.findElement(By.name("claims")).sendKeys(claims);
        page.findElement(By.cssSelector("input[type=submit]")).click();
    }

    /** The paths of the requests the provider has had (its queue, emptied). */
    private List<String> askedOfProvider() {
        List<String> asked = new ArrayList<>();
        while (true) {
            try {
                asked.add(provider.takeRequest(100, TimeUnit.MILLISECONDS).getRequestUrl().encodedPath());
            } catch (RuntimeException e) {
                return asked; // mock-oauth2-server's way of saying the queue is empty
            }
        }
    }

    /** Waits for a line of the audit trail that has all of {@code parts}. */
    private void awaitAudit(String... parts) throws InterruptedException {
        Path audit = dir.resolve("audit.jsonl");
        Poll.until(() -> {
            try {
                return Files.exists(audit) && Files.readAllLines(audit).stream()
                        .anyMatch(line -> Arrays.stream(parts).allMatch(line::contains));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "an audit line with " + String.join(" and ", parts));
    }

    @Test
    void aProvidersUserSignsInWithTheirGroupsAndSigningOutEndsTheSession() throws Exception {
        try (RunningBerth berth = berth(issuer())) {
            TestClient alice = berth.client().withBasic("alice", Htpasswd.ALICE_PASSWORD);
            alice.pushImage("team/app", "1", TestData.utf8("{\"app\":1}"), TestData.bytes(1_000, 1));
            alice.pushImage("team/secret-db", "1", TestData.utf8("{\"db\":1}"), TestData.bytes(1_000, 2));
            page.get(base(berth) + "/ui/");
            repositoriesShown(0);

            signInAtProvider("carol", "{\"preferred_username\": \"carol\", \"groups\": [\"/devs\", \"staff\"]}");
            browser.await(d -> d.findElements(By.id("user")).size() == 1);
            assertEquals(base(berth) + "/ui/", page.getCurrentUrl().replaceAll("#.*$", ""));
            assertEquals("carol", page.findElement(By.id("user")).getText());
            assertEquals("(devs)", page.findElement(By.id("groups")).getText().trim(),
                    "the group the rules name, from the provider's /devs; staff is named by no rule");
            assertEquals(List.of("team/app"), repositoriesShown(1), "@devs may pull team/*, not team/secret-*");
            awaitAudit("\"action\":\"login\",\"actor\":\"carol\"", "\"result\":\"ok\"");
            browser.screenshot("ui-single-sign-on");

            String saved = "berth_session=" + page.manage().getCookieNamed("berth_session").getValue();
            String me = new String(berth.client().get("/api/v1/me", "Cookie", saved).body());
            assertTrue(me.contains("\"user\":\"carol\"") && me.contains("\"groups\":[\"devs\"]"), me);

            page.findElement(By.cssSelector("#session button[type=submit]")).click();
            browser.await(d -> d.findElements(By.id("sign-in")).size() == 1);
            assertEquals(base(berth) + "/ui/", page.getCurrentUrl().replaceAll("#.*$", ""),
                    "back from the provider's sign-out");
            assertEquals(401, berth.client().get("/api/v1/me", "Cookie", saved).statusCode(),
                    "the session ended on the server, not only in the browser");
            List<String> asked = askedOfProvider();
            assertTrue(asked.contains(provider.endSessionEndpointUrl(ISSUER_ID).encodedPath()),
                    "the browser signed out at the provider too: " + asked);
        }
    }

    @Test
    void aUserWithoutTheGroupSeesNoPrivateRepositoryAndBerthsOwnAccountCannotComeThroughTheProvider()
            throws Exception {
        try (RunningBerth berth = berth(issuer())) {
            berth.client().withBasic("alice", Htpasswd.ALICE_PASSWORD).pushImage("team/app", "1",
                    TestData.utf8("{\"app\":1}"), TestData.bytes(1_000, 1));
            page.get(base(berth) + "/ui/");
            signInAtProvider("dave", "{\"groups\": [\"staff\"]}");
            browser.await(d -> d.findElements(By.id("user")).size() == 1);
            assertEquals("dave", page.findElement(By.id("user")).getText(), "no preferred_username: the sub");
            assertEquals(List.of(), repositoriesShown(0));
            page.findElement(By.cssSelector("#session button[type=submit]")).click();
            browser.await(d -> d.findElements(By.id("sign-in")).size() == 1);

            signInAtProvider("alice", "{\"groups\": [\"admins\"]}");
            browser.await(d -> d.findElements(By.id("sso-error")).size() == 1);
            assertEquals("alice is an account of berth's own: it signs in with its password, not through the"
                    + " provider", page.findElement(By.id("sso-error")).getText());
            awaitAudit("\"action\":\"login-failed\",\"actor\":\"alice\"", "\"result\":\"SSO_REFUSED\"");
        }
    }

    @Test
    void aCallbackThatIsNotThisBrowsersSignInIsRefusedOnAPage() throws Exception {
        try (RunningBerth berth = berth(issuer())) {
            page.get(base(berth) + "/ui/");
            page.findElement(By.id("sign-in")).click();
            browser.await(d -> d.findElement(By.id("sso-sign-in")).isDisplayed());
            page.findElement(By.id("sso-sign-in")).click();
            browser.await(d -> d.getCurrentUrl().startsWith(issuer() + "/authorize"));

            // Another sign-in's answer (as a login CSRF would bring it): its state is not the one this browser holds.
            page.get(base(berth) + "/ui/sso/callback?state=another-sign-in&code=stolen");
            browser.await(d -> d.findElements(By.id("sso-error")).size() == 1);
            assertEquals("the provider's answer is for another sign-in (its state is not this browser's)",
                    page.findElement(By.id("sso-error")).getText());
            assertEquals(400, berth.client().get("/ui/sso/callback?state=x&code=y").statusCode());
            page.findElement(By.linkText("Back to berth")).click();
            browser.await(d -> d.findElements(By.id("sign-in")).size() == 1);
        }
    }

    @Test
    void aProviderThatIsDownGivesAPageSayingSo() throws Exception {
        String down = "http://127.0.0.1:" + FreePort.pick() + "/" + ISSUER_ID;
        try (RunningBerth berth = berth(down)) {
            page.get(base(berth) + "/ui/");
            page.findElement(By.id("sign-in")).click();
            browser.await(d -> d.findElement(By.id("sso-sign-in")).isDisplayed());
            page.findElement(By.id("sso-sign-in")).click();
            browser.await(d -> d.findElements(By.id("sso-error")).size() == 1);
            String said = page.findElement(By.id("sso-error")).getText();
            assertTrue(said.startsWith("the single sign-on provider cannot be reached now: the provider 127.0.0.1:")
                    && said.endsWith("Try again in a minute; if it lasts, tell berth's administrator."), said);
            assertEquals(503, berth.client().get("/ui/sso/start").statusCode());
        }
    }
}
