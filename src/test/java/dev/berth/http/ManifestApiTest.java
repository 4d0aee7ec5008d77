package dev.berth.http;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.support.RegistryAssertions;
import dev.berth.support.TestData;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ManifestApiTest extends ApiTestBase {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    private byte[] pushSampleImage(String repo, String tag) {
        return client.pushImage(repo, tag, TestData.utf8("{\"architecture\":\"amd64\",\"os\":\"linux\"}"),
                TestData.bytes(3000, 20), TestData.bytes(4000, 21));
    }

    @Test
    void pushedManifestComesBackByteForByte() {
        byte[] manifest = pushSampleImage("team/app", "1.0");
        String digest = TestData.digest(manifest);

        for (String reference : new String[] {"1.0", digest}) {
            HttpResponse<byte[]> r = client.get("/v2/team/app/manifests/" + reference, "Accept", OCI_MANIFEST);
            assertEquals(200, r.statusCode());
            assertArrayEquals(manifest, r.body());
            assertEquals(OCI_MANIFEST, header(r, "Content-Type"));
            assertEquals(digest, header(r, "Docker-Content-Digest"));
            assertEquals("\"" + digest + "\"", header(r, "ETag"));
        }
        HttpResponse<byte[]> head = client.head("/v2/team/app/manifests/1.0");
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(manifest.length), header(head, "Content-Length"));
        assertEquals(digest, header(head, "Docker-Content-Digest"));
        assertEquals(304, client.get("/v2/team/app/manifests/1.0", "If-None-Match", "\"" + digest + "\"").statusCode());
    }

    @Test
    void putAnswersWithLocationAndDigest() {
        byte[] config = TestData.utf8("{}");
        client.pushBlob("team/app", config);
        byte[] manifest = TestData.ociManifest(config);
        HttpResponse<byte[]> r = client.putManifest("team/app", "v1", manifest, OCI_MANIFEST);
        assertEquals(201, r.statusCode());
        assertEquals(TestData.digest(manifest), header(r, "Docker-Content-Digest"));
        assertEquals("/v2/team/app/manifests/" + TestData.digest(manifest), header(r, "Location"));
    }

    @Test
    void whitespaceAndKeyOrderArePreserved() {
        byte[] config = TestData.utf8("{}");
        client.pushBlob("team/app", config);
        byte[] manifest = TestData.utf8("{\n   \"layers\" : [ ],\n \"schemaVersion\": 2,\n  \"config\": "
                + TestData.descriptor("application/vnd.oci.image.config.v1+json", config) + "\n}\n");
        assertEquals(201, client.putManifest("team/app", "odd", manifest, OCI_MANIFEST).statusCode());
        assertArrayEquals(manifest, client.get("/v2/team/app/manifests/odd").body());
    }

    @Test
    void dockerSchema2IsServedWithItsMediaType() {
        byte[] config = TestData.utf8("{\"os\":\"linux\"}");
        byte[] layer = TestData.bytes(100, 22);
        client.pushBlob("team/app", config);
        client.pushBlob("team/app", layer);
        byte[] manifest = TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_MANIFEST + "\",\"config\":"
                + TestData.descriptor("application/vnd.docker.container.image.v1+json", config) + ",\"layers\":["
                + TestData.descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", layer) + "]}");
        assertEquals(201, client.putManifest("team/app", "d", manifest, DOCKER_MANIFEST).statusCode());
        assertEquals(DOCKER_MANIFEST, header(client.get("/v2/team/app/manifests/d"), "Content-Type"));
    }

    @Test
    void manifestNamingMissingBlobIsRejected() {
        byte[] config = TestData.utf8("{}");
        client.pushBlob("team/app", config);
        byte[] manifest = TestData.ociManifest(config, TestData.bytes(10, 23));
        assertError(client.putManifest("team/app", "x", manifest, OCI_MANIFEST), 400, "MANIFEST_BLOB_UNKNOWN");
        assertError(client.get("/v2/team/app/manifests/x"), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void blobsOfAnotherRepositoryDoNotCount() {
        byte[] config = TestData.utf8("{}");
        client.pushBlob("team/other", config);
        assertError(client.putManifest("team/app", "x", TestData.ociManifest(config), OCI_MANIFEST), 400,
                "MANIFEST_BLOB_UNKNOWN");
    }

    @Test
    void invalidManifestsAreRejected() {
        assertError(client.putManifest("team/app", "x", TestData.utf8("not json"), OCI_MANIFEST), 400,
                "MANIFEST_INVALID");
        assertError(client.putManifest("team/app", "x", TestData.utf8("{\"schemaVersion\":1}"), OCI_MANIFEST), 400,
                "MANIFEST_INVALID");
        assertError(client.putManifest("team/app", "x", TestData.utf8("[]"), OCI_MANIFEST), 400, "MANIFEST_INVALID");
        assertError(client.putManifest("team/app", "x",
                TestData.utf8("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"sha256:zz\",\"size\":1}}"),
                OCI_MANIFEST), 400, "MANIFEST_INVALID");
        assertError(client.putManifest("team/app", "x",
                TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[]}"),
                OCI_MANIFEST), 400, "MANIFEST_INVALID");
    }

    @Test
    void oversizedManifestIsRefused() {
        byte[] huge = new byte[4 * 1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        assertError(client.putManifest("team/app", "big", huge, OCI_MANIFEST), 413, "SIZE_INVALID");
    }

    @Test
    void putByDigestMustMatch() {
        byte[] manifest = pushSampleImage("team/app", "1");
        assertEquals(201, client.putManifest("team/app", TestData.digest(manifest), manifest, OCI_MANIFEST)
                .statusCode());
        assertError(client.putManifest("team/app", TestData.digest(new byte[] {1}), manifest, OCI_MANIFEST), 400,
                "DIGEST_INVALID");
    }

    @Test
    void indexNeedsItsChildren() {
        byte[] child = pushSampleImage("team/app", "amd64");
        byte[] missing = TestData.utf8("{\"schemaVersion\":2,\"config\":{}}");
        byte[] index = TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + TestData.descriptor(OCI_MANIFEST, child) + "," + TestData.descriptor(OCI_MANIFEST, missing) + "]}");
        assertError(client.putManifest("team/app", "multi", index, OCI_INDEX), 400, "MANIFEST_BLOB_UNKNOWN");

        byte[] good = TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + TestData.descriptor(OCI_MANIFEST, child) + "]}");
        assertEquals(201, client.putManifest("team/app", "multi", good, OCI_INDEX).statusCode());
        HttpResponse<byte[]> r = client.get("/v2/team/app/manifests/multi", "Accept", OCI_INDEX + ", " + OCI_MANIFEST);
        assertArrayEquals(good, r.body());
        assertEquals(OCI_INDEX, header(r, "Content-Type"));
    }

    @Test
    void clientThatDoesNotAcceptTheTypeGets404() {
        pushSampleImage("team/app", "1");
        assertError(client.get("/v2/team/app/manifests/1", "Accept", DOCKER_MANIFEST), 404, "MANIFEST_UNKNOWN");
        assertEquals(200, client.get("/v2/team/app/manifests/1", "Accept", "*/*").statusCode());
        assertEquals(200, client.get("/v2/team/app/manifests/1").statusCode());
    }

    @Test
    void deleteByDigestRemovesManifestAndItsTags() {
        byte[] manifest = pushSampleImage("team/app", "1");
        String digest = TestData.digest(manifest);
        client.putManifest("team/app", "latest", manifest, OCI_MANIFEST);

        assertEquals(202, client.delete("/v2/team/app/manifests/" + digest).statusCode());
        assertError(client.get("/v2/team/app/manifests/" + digest), 404, "MANIFEST_UNKNOWN");
        assertError(client.get("/v2/team/app/manifests/1"), 404, "MANIFEST_UNKNOWN");
        assertEquals("[]", RegistryAssertions.json(client.get("/v2/team/app/tags/list")).path("tags").toString());
        assertError(client.delete("/v2/team/app/manifests/" + digest), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void deleteByTagKeepsTheManifest() {
        byte[] manifest = pushSampleImage("team/app", "1");
        assertEquals(202, client.delete("/v2/team/app/manifests/1").statusCode());
        assertError(client.get("/v2/team/app/manifests/1"), 404, "MANIFEST_UNKNOWN");
        assertEquals(200, client.get("/v2/team/app/manifests/" + TestData.digest(manifest)).statusCode());
        assertError(client.delete("/v2/team/app/manifests/1"), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void retaggingMovesTheTag() {
        byte[] first = pushSampleImage("team/app", "latest");
        byte[] second = client.pushImage("team/app", "latest", TestData.utf8("{\"v\":2}"), TestData.bytes(10, 24));
        assertArrayEquals(second, client.get("/v2/team/app/manifests/latest").body());
        assertArrayEquals(first, client.get("/v2/team/app/manifests/" + TestData.digest(first)).body());
    }
}
