package dev.berth.mirror;

import static dev.berth.support.MockHub.blobPath;
import static dev.berth.support.MockHub.manifestPath;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.MediaTypes;
import dev.berth.support.LogCapture;
import dev.berth.support.MockHub;
import dev.berth.support.TestData;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Where a name leads: every spelling of a Docker Hub name reaches one upstream repository and one cache, a second
 * upstream is reached by its registry prefix or {@code ?ns=}, private names never leave berth, and mirrored names are
 * read-only.
 */
class RoutingTest extends MirrorTestBase {
    @StartStop
    public final MockWebServer ghcrServer = new MockWebServer();

    /** ghcr.io, here without a token service: routing is what is tested. */
    private final MockHub ghcr = new MockHub(ghcrServer, null, "ghcr.io");

    @Override
    protected String mirrorYaml() {
        return "mirror:\n  upstreams:\n" + upstream("docker.io", hub.url(), true)
                + upstream("ghcr.io", ghcr.url(), false) + "private:\n  repositories: ['team/*']\n";
    }

    @Test
    void everySpellingOfABusyboxNameSharesOneUpstreamRepositoryAndOneCache() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 1);
        List<String> spellings = List.of(
                "/v2/library/busybox/manifests/latest?ns=docker.io", // containerd, hosts.toml mirror
                "/v2/docker.io/library/busybox/manifests/latest",    // registry prefix
                "/v2/docker.io/busybox/manifests/latest",
                "/v2/busybox/manifests/latest",                      // Docker's registry-mirrors: default upstream
                "/v2/library/busybox/manifests/latest",
                "/v2/busybox/manifests/latest?ns=docker.io");

        for (String path : spellings) {
            assertManifest(client.get(path), image.manifest(), MediaTypes.OCI_MANIFEST);
            assertEquals(1, hub.served("HEAD", manifestPath(BUSYBOX, "latest")), path);
            assertEquals(1, hub.served("GET", manifestPath(BUSYBOX, image.ref())), path);
        }
        byte[] layer = image.layers().get(0);
        assertBlob(client.get(blobPath("docker.io/library/busybox", layer)), layer);
        assertBlob(client.get(blobPath("busybox", layer) + "?ns=docker.io"), layer);
        assertBlob(client.get(blobPath("library/busybox", layer)), layer);
        assertEquals(1, hub.served("GET", blobPath(BUSYBOX, layer)));

        assertEquals(List.of("docker.io/library/busybox"), catalog());
        assertEquals(0, ghcr.requests());
    }

    @Test
    void aSecondUpstreamIsReachedByItsPrefixOrNs() {
        MockHub.Image app = ghcr.image("org/app", "v1", 2);

        assertManifest(client.get("/v2/ghcr.io/org/app/manifests/v1"), app.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(List.of("HEAD /v2/org/app/manifests/v1 200", "GET " + manifestPath("org/app", app.ref()) + " 200"),
                ghcr.log());
        assertManifest(client.get("/v2/org/app/manifests/v1?ns=ghcr.io"), app.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlob(client.get(blobPath("org/app", app.config()) + "?ns=ghcr.io"), app.config());
        assertBlob(client.get(blobPath("ghcr.io/org/app", app.config())), app.config());
        assertEquals(3, ghcr.requests(), "the two spellings share the cache");
        assertEquals(0, hub.requests(), "Docker Hub is not asked for ghcr.io content");

        // Without a prefix or ns, the name belongs to the default upstream, which does not have it.
        assertError(client.get("/v2/org/app/manifests/v1"), 404, "MANIFEST_UNKNOWN");
        assertEquals(3, ghcr.requests());
        assertEquals(List.of("HEAD /v2/org/app/manifests/v1 401", "HEAD /v2/org/app/manifests/v1 401"), hub.log());
        assertEquals(List.of("ghcr.io/org/app"), catalog());
    }

    @Test
    void anUnmirroredNsIsNameUnknownWithoutAskingAnyone() {
        HttpResponse<byte[]> r = client.get("/v2/library/busybox/manifests/latest?ns=quay.io");

        assertError(r, 404, "NAME_UNKNOWN");
        String detail = json(r).path("errors").path(0).path("detail").asText();
        assertTrue(detail.contains("quay.io") && detail.contains("docker.io") && detail.contains("ghcr.io"), detail);
        assertError(client.get(blobPath("org/app", TestData.utf8("x")) + "?ns=quay.io"), 404, "NAME_UNKNOWN");
        assertEquals(0, hub.requests() + ghcr.requests());
    }

    @Test
    void aReferenceOutsideTheTagGrammarIsUnknownWithoutAskingAnyone() {
        hub.image(BUSYBOX, "latest", 6);
        for (String path : List.of("/v2/busybox/manifests/.INVALID_MANIFEST_NAME",
                "/v2/ghcr.io/org/app/manifests/-v1", "/v2/library/busybox/manifests/.latest?ns=docker.io")) {
            assertError(client.get(path), 404, "MANIFEST_UNKNOWN");
            assertError(client.head(path), 404, "MANIFEST_UNKNOWN");
        }
        assertEquals(0, hub.requests() + ghcr.requests(), () -> "an upstream was asked: " + hub.log());
        assertEquals(0, authServer.getRequestCount());
    }

    @Test
    void privateNamesAreServedLocallyAndNeverAskedUpstream() {
        byte[] config = TestData.utf8("{\"team\":true}");
        byte[] layer = TestData.bytes(4000, 3);

        byte[] manifest = client.pushImage("team/app", "v1", config, layer);

        assertManifest(client.get("/v2/team/app/manifests/v1"), manifest, MediaTypes.OCI_MANIFEST);
        // The private glob wins over ns: containerd sends ns for every name it mirrors.
        assertManifest(client.get("/v2/team/app/manifests/v1?ns=docker.io"), manifest, MediaTypes.OCI_MANIFEST);
        assertBlob(client.get(blobPath("team/app", layer)), layer);
        assertEquals(List.of("v1"), tags("/v2/team/app/tags/list"));
        assertError(client.get("/v2/team/app/manifests/nosuch"), 404, "MANIFEST_UNKNOWN");
        assertError(client.get("/v2/team/other/manifests/latest"), 404, "MANIFEST_UNKNOWN");
        assertEquals(202, client.delete("/v2/team/app/manifests/v1").statusCode(), "private content can be deleted");

        assertEquals(0, hub.requests(), () -> "Docker Hub was asked: " + hub.log());
        assertEquals(0, ghcr.requests());
        assertEquals(0, authServer.getRequestCount());
    }

    @Test
    void writesToAMirroredNameAreDeniedNamingThePrivateGlobs() {
        byte[] manifest = TestData.ociManifest(TestData.utf8("{}"));
        byte[] blob = TestData.utf8("a blob");
        List<HttpResponse<byte[]>> answers = new ArrayList<>();

        answers.add(client.send("POST", "/v2/busybox/blobs/uploads/", null));
        answers.add(client.send("POST", "/v2/busybox/blobs/uploads/?digest=" + TestData.digest(blob), blob));
        answers.add(client.send("POST", "/v2/library/busybox/blobs/uploads/?ns=docker.io", null));
        answers.add(client.putManifest("busybox", "latest", manifest, MediaTypes.OCI_MANIFEST));
        answers.add(client.putManifest("docker.io/library/busybox", "latest", manifest, MediaTypes.OCI_MANIFEST));
        answers.add(client.putManifest("ghcr.io/org/app", "v1", manifest, MediaTypes.OCI_MANIFEST));
        answers.add(client.delete("/v2/busybox/manifests/latest"));
        answers.add(client.delete(blobPath("busybox", blob)));
        // A session a mirrored name never had: the missing write side answers before any lookup.
        String session = "/v2/busybox/blobs/uploads/5f0c6d3e-2b1a-4c8e-9d7f-0a1b2c3d4e5f";
        answers.add(client.send("PATCH", session, blob));
        answers.add(client.send("PUT", session + "?digest=" + TestData.digest(blob), blob));
        answers.add(client.send("GET", session, null));
        answers.add(client.delete(session));

        for (HttpResponse<byte[]> r : answers) {
            assertError(r, 403, "DENIED");
            // Docker prints the message only ("denied: <message>"): the explanation must be there.
            String message = json(r).path("errors").path(0).path("message").asText();
            assertTrue(message.contains("read-only") && message.contains("team/*"), message);
        }
        assertEquals(0, hub.requests() + ghcr.requests(), "a write is refused without asking upstream");
        assertEquals(List.of(), catalog(), "and creates nothing");
    }

    @Test
    void aRefusedWriteIsLoggedOncePerName() {
        try (LogCapture log = LogCapture.of("dev.berth.mirror.RefusedWrites")) {
            client.send("POST", "/v2/other/app/blobs/uploads/", null);
            client.send("POST", "/v2/other/app/blobs/uploads/", null);
            client.delete("/v2/other/app/manifests/1");
            client.send("POST", "/v2/ghcr.io/org/app/blobs/uploads/", null);
            assertEquals(List.of("refused a push, upload or delete: docker.io/other/app is mirrored from docker.io and"
                    + " read-only here; push to a private name instead (private.repositories: team/*)",
                    "refused a push, upload or delete: ghcr.io/org/app is mirrored from ghcr.io and read-only here;"
                    + " push to a private name instead (private.repositories: team/*)"),
                    log.messages(java.util.logging.Level.WARNING));
        }
    }

    @Test
    void catalogListsCachedMirrorsUnderTheirRegistryAndPrivateRepositories() {
        hub.image(BUSYBOX, "latest", 4);
        ghcr.image("org/app", "v1", 5);
        client.get("/v2/busybox/manifests/latest");
        client.get("/v2/ghcr.io/org/app/manifests/v1");
        client.pushImage("team/app", "v1", TestData.utf8("{}"), TestData.bytes(100, 6));

        assertEquals(List.of("docker.io/library/busybox", "ghcr.io/org/app", "team/app"), catalog());
    }

    @Test
    void tagsOfAMirroredRepositoryComeFromUpstreamAndFromTheCacheWhenItIsDown() {
        hub.image(BUSYBOX, "latest", 7);
        hub.image(BUSYBOX, "musl", 8);
        hub.image(BUSYBOX, "1.36", 9);
        String upstreamTags = "/v2/library/busybox/tags/list";

        HttpResponse<byte[]> r = client.get("/v2/busybox/tags/list");
        assertEquals(200, r.statusCode());
        assertEquals("busybox", json(r).path("name").asText());
        assertEquals(List.of("1.36", "latest", "musl"), tags("/v2/busybox/tags/list"));
        assertEquals(2, hub.served("GET", upstreamTags), "tag lists are not cached: the upstream is asked each time");

        client.get("/v2/busybox/manifests/latest");
        hub.outage(MockHub.status(503));
        assertEquals(List.of("latest"), tags("/v2/busybox/tags/list"), "the cached tags stand in");
        assertEquals(3, hub.served("GET", upstreamTags), "asked, and refused with 503");

        assertError(client.get("/v2/nosuch/tags/list"), 503, "UNAVAILABLE");
        hub.recover();
        assertError(client.get("/v2/nosuch/tags/list"), 404, "NAME_UNKNOWN");
    }

    @Test
    void aCachedMirroredBlobMountsIntoAPrivateRepository() throws InterruptedException {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 10);
        client.get("/v2/busybox/manifests/latest");
        assertBlobs("busybox", image);
        awaitFillsStored(client);
        byte[] layer = image.layers().get(0);
        int asked = hub.requests();

        HttpResponse<byte[]> r = client.send("POST", "/v2/team/app/blobs/uploads/?mount=" + TestData.digest(layer)
                + "&from=library/busybox", null);

        assertEquals(201, r.statusCode(), () -> new String(r.body()));
        assertEquals("/v2/team/app/blobs/" + TestData.digest(layer), header(r, "Location"));
        assertBlob(client.get(blobPath("team/app", layer)), layer);
        HttpResponse<byte[]> viaPrefix = client.send("POST", "/v2/team/app/blobs/uploads/?mount="
                + TestData.digest(image.config()) + "&from=docker.io/library/busybox", null);
        assertEquals(201, viaPrefix.statusCode());
        assertEquals(asked, hub.requests(), "a cached blob mounts without the upstream");

        // A blob berth does not have cannot be mounted: the client gets an upload session to push it instead.
        byte[] uncached = TestData.utf8("never pulled");
        HttpResponse<byte[]> fallback = client.send("POST", "/v2/team/app/blobs/uploads/?mount="
                + TestData.digest(uncached) + "&from=library/busybox", null);
        assertEquals(202, fallback.statusCode());
        assertTrue(header(fallback, "Location").startsWith("/v2/team/app/blobs/uploads/"));
        assertEquals(asked, hub.requests());
    }

    private List<String> catalog() {
        return strings(json(client.get("/v2/_catalog")).path("repositories"));
    }

    private List<String> tags(String path) {
        HttpResponse<byte[]> r = client.get(path);
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        return strings(json(r).path("tags"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
