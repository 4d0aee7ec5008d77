package dev.berth.http;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Htpasswd;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestCertificates;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes to {@code /v2/} that a browser sent for a web page ({@code Origin}, {@code Sec-Fetch-Site}) are refused with
 * 403 DENIED before anything is stored or any password is tried, also for a page of berth's own origin as the browser
 * sees it (a name rebound to berth's address); registry clients, which send neither, push as before; reads are not
 * affected.
 */
class CrossSiteWriteTest {
    private static final String EVIL = "http://evil.example:8080";

    @TempDir
    Path dir;
    private RunningBerth berth;

    @AfterEach
    void stop() {
        if (berth != null) {
            berth.close();
        }
    }

    /** Asserts a 403 DENIED whose message says why; returns the message. */
    private static String assertRefused(HttpResponse<byte[]> r) {
        assertError(r, 403, "DENIED");
        String message = json(r).path("errors").path(0).path("message").asText();
        assertTrue(message.startsWith("berth takes no registry writes from a web page through a browser: "),
                message);
        return message;
    }

    @Test
    void withoutAuthenticationAnotherSitesPageStoresNothing() {
        berth = RunningBerth.start(dir.resolve("data"));
        TestClient client = berth.client();
        byte[] blob = TestData.bytes(1000, 1);
        String digest = TestData.digest(blob);

        String why = assertRefused(client.send("POST", "/v2/team/app/blobs/uploads/?digest=" + digest, blob,
                "Origin", EVIL));
        assertTrue(why.contains("a page of " + EVIL + " sent it"), why);
        assertTrue(assertRefused(client.send("POST", "/v2/team/app/blobs/uploads/", null, "Sec-Fetch-Site",
                "cross-site")).contains("Sec-Fetch-Site: cross-site"));
        assertRefused(client.send("POST", "/v2/team/app/blobs/uploads/", null, "Sec-Fetch-Site", "same-site",
                "Origin", "http://other.127.0.0.1.example"));
        assertRefused(client.send("POST", "/v2/team/app/blobs/uploads/", null, "Origin", "null"));
        assertEquals(404, client.head("/v2/team/app/blobs/" + digest).statusCode(), "nothing was stored");

        // A page of berth's own origin as the browser sees it (DNS rebinding makes any page one) is refused too.
        String own = "http://127.0.0.1:" + berth.port();
        assertTrue(assertRefused(client.send("POST", "/v2/team/app/blobs/uploads/?digest=" + digest, blob, "Origin",
                own, "Sec-Fetch-Site", "same-origin")).contains("Sec-Fetch-Site: same-origin"));
        assertRefused(client.send("POST", "/v2/team/app/blobs/uploads/?digest=" + digest, blob, "Origin", own));
        assertEquals(404, client.head("/v2/team/app/blobs/" + digest).statusCode(), "nothing was stored");

        // The same push without Origin, as registry clients send it, goes through.
        assertEquals(digest, client.pushBlob("team/app", blob));

        // Every kind of write: an upload's PATCH and PUT, a manifest's PUT, a DELETE.
        String upload = client.send("POST", "/v2/team/app/blobs/uploads/", null).headers().firstValue("Location")
                .orElseThrow();
        assertRefused(client.send("PATCH", upload, blob, "Origin", EVIL));
        assertRefused(client.send("PUT", upload + "?digest=" + digest, blob, "Origin", EVIL));
        assertRefused(client.send("PUT", "/v2/team/app/manifests/1", "{}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/vnd.oci.image.manifest.v1+json", "Origin", EVIL));
        assertRefused(client.send("DELETE", "/v2/team/app/blobs/" + digest, null, "Origin", EVIL));
        assertEquals(200, client.head("/v2/team/app/blobs/" + digest).statusCode(), "still there");

        // Reading is no write: another site's page learns nothing from a no-cors answer anyway.
        assertEquals(200, client.get("/v2/team/app/blobs/" + digest, "Origin", EVIL).statusCode());
    }

    @Test
    void withTheBrowsersCredentialsAMountAndATokenAreRefusedToo() throws Exception {
        Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        berth = RunningBerth.start(dir.resolve("data"), "auth: {htpasswd: '" + htpasswd + "', scheme: basic}\n");
        TestClient alice = berth.client().withBasic("alice", Htpasswd.ALICE_PASSWORD);
        String digest = alice.pushBlob("team/app", TestData.bytes(1000, 2));

        assertRefused(alice.send("POST", "/v2/team/copy/blobs/uploads/?mount=" + digest + "&from=team/app", null,
                "Origin", EVIL, "Sec-Fetch-Site", "cross-site"));
        assertEquals(404, alice.head("/v2/team/copy/blobs/" + digest).statusCode(), "nothing was mounted");
        assertEquals(201, alice.send("POST", "/v2/team/copy/blobs/uploads/?mount=" + digest + "&from=team/app", null)
                .statusCode(), "the same mount from a registry client");

        // Refused before the password is looked at: a page cannot make visitors' browsers guess passwords.
        byte[] form = "grant_type=password&username=alice&password=guess".getBytes(StandardCharsets.UTF_8);
        assertRefused(berth.client().send("POST", "/auth/token", form, "Content-Type",
                "application/x-www-form-urlencoded", "Origin", EVIL));
        assertRefused(berth.client().withBasic("alice", "guess").send("POST", "/v2/team/app/blobs/uploads/", null,
                "Origin", EVIL));
    }

    /** Over HTTP/2 as over HTTP/1.1: a registry client writes, any page does not. */
    @Test
    void overHttp2ARegistryClientWritesAndAPageDoesNot() {
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"), TestCertificates.KeyType.EC);
        berth = RunningBerth.startHttps(dir.resolve("data"), certs, certs.key(), "");
        TestClient client = berth.client();
        HttpResponse<byte[]> registryClient = client.send("POST", "/v2/team/app/blobs/uploads/", null);
        assertEquals(HttpClient.Version.HTTP_2, registryClient.version());
        assertEquals(202, registryClient.statusCode(), new String(registryClient.body(), StandardCharsets.UTF_8));
        assertRefused(client.send("POST", "/v2/team/app/blobs/uploads/", null,
                "Origin", "https://127.0.0.1:" + berth.port(), "Sec-Fetch-Site", "same-origin"));
        assertRefused(client.send("POST", "/v2/team/app/blobs/uploads/", null, "Origin", EVIL));
    }
}
