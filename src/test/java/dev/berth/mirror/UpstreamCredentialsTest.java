package dev.berth.mirror;

import static dev.berth.mirror.MockHub.blobPath;
import static dev.berth.mirror.MockHub.manifestPath;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.MediaTypes;
import dev.berth.support.LogCapture;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * berth logging in to Docker Hub with configured credentials that Hub's token service refuses: an outage to report
 * and to answer 503 for, not content that does not exist.
 */
class UpstreamCredentialsTest extends MirrorTestBase {
    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret-pw";

    @Override
    String mirrorYaml() {
        return "mirror:\n  upstreams:\n"
                + upstream("docker.io", hub.url(), true, "username: " + USER + ", password: " + PASSWORD + ", ");
    }

    @Test
    void refusedCredentialsAre503EveryTimeLoggedOnceAndShownInHealth() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 1);
        hub.credentials(USER, "another-password");
        try (LogCapture failures = LogCapture.of(UpstreamFailures.class.getName())) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<byte[]> r = client.get("/v2/busybox/manifests/latest");
                assertError(r, 503, "UNAVAILABLE");
                assertEquals("10", header(r, "Retry-After"));
                assertError(client.get(blobPath("busybox", image.config())), 503, "UNAVAILABLE");
            }
            assertEquals(6, authServer.getRequestCount(), "nothing remembered as absent: every request asks again");
            assertEquals(0, hub.served("HEAD", manifestPath(BUSYBOX, "latest")), hub.log()::toString);
            List<String> warnings = failures.messages(Level.WARNING);
            assertEquals(1, warnings.size(), () -> "one warning per outage: " + warnings);
            assertTrue(warnings.get(0).contains("answered 401") && warnings.get(0).contains("username and password"),
                    warnings.get(0));
            String health = new String(client.get("/observe/health/ready").body());
            assertTrue(health.contains("DOWN: token service"), health);

            // Fixed at Hub's end: the content is served at once, with nothing negative cached in between.
            hub.credentials(USER, PASSWORD);
            assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
            assertEquals(List.of("upstream docker.io answers again"), failures.messages(Level.INFO));
        }
    }

    @Test
    void refusedCredentialsServeTheStaleTagAndUnknownRepositoriesStayAbsent() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 2);
        hub.image(BUSYBOX, "musl", 3);
        hub.credentials(USER, PASSWORD);
        hub.tokenLifetime(TAG_TTL);
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        // With a token, Hub's 401 for a repository it does not have still means absent.
        assertError(client.get("/v2/nosuch/manifests/latest"), 404, "MANIFEST_UNKNOWN");

        hub.credentials(USER, "changed-at-hub");
        clock.advance(TAG_TTL.plus(Duration.ofSeconds(1)));

        try (LogCapture failures = LogCapture.of(UpstreamFailures.class.getName())) {
            assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
            assertError(client.get("/v2/busybox/manifests/musl"), 503, "UNAVAILABLE");
            assertEquals(1, failures.messages(Level.WARNING).size(), failures.messages(Level.WARNING)::toString);
        }
    }
}
