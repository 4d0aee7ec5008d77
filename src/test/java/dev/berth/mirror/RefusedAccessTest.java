package dev.berth.mirror;

import static dev.berth.support.RegistryAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.LogCapture;
import dev.berth.support.Scrape;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * Docker Hub refusing anonymous berth a repository (401 insufficient_scope, as for one it lacks or keeps private):
 * absent to clients, so they try their next source, but counted and logged once an hour per repository, since a
 * forgotten login looks the same.
 */
class RefusedAccessTest extends MirrorTestBase {
    @Test
    void aRefusedRepositoryIs404AndOneWarningAnHourThatNamesItAndWhatToSet() {
        hub.image(BUSYBOX, "latest", 5);
        try (LogCapture refusals = LogCapture.of(RefusedAccess.class.getName())) {
            assertError(client.get("/v2/acme/app/manifests/1.0"), 404, "MANIFEST_UNKNOWN");
            assertError(client.get("/v2/acme/app/manifests/2.0"), 404, "MANIFEST_UNKNOWN");
            assertError(client.get("/v2/other/manifests/1.0"), 404, "MANIFEST_UNKNOWN");
            // A tag missing from a repository Hub lets berth read is plain absence: 404 there, nothing logged.
            assertError(client.get("/v2/busybox/manifests/nosuch"), 404, "MANIFEST_UNKNOWN");

            List<String> warnings = refusals.messages(Level.WARNING);
            assertEquals(2, warnings.size(), () -> "one per repository: " + warnings);
            assertTrue(warnings.get(0).startsWith("upstream docker.io refused access to repository acme/app (")
                    && warnings.get(0).contains("answered 401") && warnings.get(0).contains("clients get 404")
                    && warnings.get(0).contains("no username is configured for docker.io: if it needs a login, set"
                    + " mirror.upstreams[].username and password"), warnings.get(0));
            assertTrue(warnings.get(1).startsWith("upstream docker.io refused access to repository library/other"),
                    warnings.get(1));
            assertEquals(3.0, Scrape.of(client).value("berth_upstream_access_refused_total",
                    Map.of("registry", "docker.io")));

            clock.advance(RefusedAccess.QUIET);
            assertError(client.get("/v2/acme/app/manifests/3.0"), 404, "MANIFEST_UNKNOWN");
            assertEquals(3, refusals.messages(Level.WARNING).size(), "logged again after an hour");
        }
    }
}
