package dev.berth.http;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.RunningBerth;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadApiTest extends ApiTestBase {
    private String startUpload(String repo) {
        HttpResponse<byte[]> r = client.send("POST", "/v2/" + repo + "/blobs/uploads/", null);
        assertEquals(202, r.statusCode());
        assertEquals("0-0", header(r, "Range"));
        String location = header(r, "Location");
        assertTrue(location.startsWith("/v2/" + repo + "/blobs/uploads/"), location);
        assertEquals(location.substring(location.lastIndexOf('/') + 1), header(r, "Docker-Upload-UUID"));
        return location;
    }

    @Test
    void postThenPutWithBody() {
        byte[] blob = TestData.bytes(50_000, 10);
        String location = startUpload("team/app");
        HttpResponse<byte[]> put = client.send("PUT", location + "?digest=" + TestData.digest(blob), blob);
        assertEquals(201, put.statusCode());
        assertEquals("/v2/team/app/blobs/" + TestData.digest(blob), header(put, "Location"));
        assertEquals(TestData.digest(blob), header(put, "Docker-Content-Digest"));
        assertArrayEquals(blob, client.get("/v2/team/app/blobs/" + TestData.digest(blob)).body());
    }

    @Test
    void chunkedUploadChecksEachChunkStart() {
        byte[] blob = TestData.bytes(30_000, 11);
        String location = startUpload("team/app");

        HttpResponse<byte[]> first = client.send("PATCH", location, Arrays.copyOfRange(blob, 0, 10_000),
                "Content-Range", "0-9999", "Content-Type", "application/octet-stream");
        assertEquals(202, first.statusCode());
        assertEquals("0-9999", header(first, "Range"));
        assertEquals(location, header(first, "Location"));

        HttpResponse<byte[]> gap = client.send("PATCH", location, Arrays.copyOfRange(blob, 20_000, 30_000),
                "Content-Range", "20000-29999");
        assertError(gap, 416, "RANGE_INVALID");
        assertEquals("0-9999", header(gap, "Range"));

        HttpResponse<byte[]> status = client.get(location);
        assertEquals(204, status.statusCode());
        assertEquals("0-9999", header(status, "Range"));

        assertEquals(202, client.send("PATCH", location, Arrays.copyOfRange(blob, 10_000, 20_000),
                "Content-Range", "10000-19999").statusCode());
        HttpResponse<byte[]> last = client.send("PUT", location + "?digest=" + TestData.digest(blob),
                Arrays.copyOfRange(blob, 20_000, 30_000), "Content-Range", "20000-29999");
        assertEquals(201, last.statusCode());
        assertArrayEquals(blob, client.get("/v2/team/app/blobs/" + TestData.digest(blob)).body());
    }

    @Test
    void contentRangeThatDisagreesWithTheBodyIs416() {
        String location = startUpload("team/app");
        assertError(client.send("PATCH", location, new byte[100], "Content-Range", "0-49"), 416, "RANGE_INVALID");
        assertError(client.send("PATCH", location, new byte[100], "Content-Range", "banana"), 416, "RANGE_INVALID");
    }

    @Test
    void singlePatchThenEmptyPutAsDockerdSendsIt() {
        byte[] blob = TestData.bytes(200_000, 12);
        String location = startUpload("team/app");
        HttpResponse<byte[]> patch = client.send("PATCH", location, blob);
        assertEquals(202, patch.statusCode());
        assertEquals("0-199999", header(patch, "Range"));
        assertEquals(201, client.send("PUT", location + "?digest=" + TestData.digest(blob), null).statusCode());
        assertArrayEquals(blob, client.get("/v2/team/app/blobs/" + TestData.digest(blob)).body());
    }

    @Test
    void wrongDigestStoresNothing() {
        byte[] blob = TestData.bytes(1000, 13);
        String claimed = TestData.digest(new byte[] {42});
        String location = startUpload("team/app");
        assertError(client.send("PUT", location + "?digest=" + claimed, blob), 400, "DIGEST_INVALID");
        assertError(client.head("/v2/team/app/blobs/" + claimed), 404, "BLOB_UNKNOWN");
        assertError(client.head("/v2/team/app/blobs/" + TestData.digest(blob)), 404, "BLOB_UNKNOWN");
        assertError(client.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(client.send("POST", "/v2/team/app/blobs/uploads/?digest=" + claimed, blob), 400, "DIGEST_INVALID");
    }

    @Test
    void putWithoutDigestIsRejected() {
        String location = startUpload("team/app");
        assertError(client.send("PUT", location, new byte[10]), 400, "DIGEST_INVALID");
        assertError(client.send("PUT", location + "?digest=sha256:nothex", new byte[10]), 400, "DIGEST_INVALID");
    }

    @Test
    void cancelledUploadIsGone() {
        String location = startUpload("team/app");
        assertEquals(204, client.delete(location).statusCode());
        assertError(client.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(client.send("PATCH", location, new byte[1]), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void uploadBelongsToItsRepository() {
        String location = startUpload("team/app");
        String other = location.replace("/team/app/", "/team/other/");
        assertError(client.get(other), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(client.get("/v2/team/app/blobs/uploads/not-a-uuid"), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void crossRepositoryMount() {
        byte[] blob = TestData.bytes(5000, 14);
        String digest = client.pushBlob("team/base", blob);

        HttpResponse<byte[]> mounted = client.send("POST",
                "/v2/team/app/blobs/uploads/?mount=" + digest + "&from=team/base", null);
        assertEquals(201, mounted.statusCode());
        assertEquals("/v2/team/app/blobs/" + digest, header(mounted, "Location"));
        assertArrayEquals(blob, client.get("/v2/team/app/blobs/" + digest).body());

        HttpResponse<byte[]> notThere = client.send("POST",
                "/v2/team/app2/blobs/uploads/?mount=" + digest + "&from=team/empty", null);
        assertEquals(202, notThere.statusCode(), "a failed mount starts an ordinary upload");
        assertFalse(header(notThere, "Location").isEmpty());
    }

    @Test
    void uploadSurvivesARestart() throws IOException {
        byte[] blob = TestData.bytes(40_000, 15);
        String location = startUpload("team/app");
        client.send("PATCH", location, Arrays.copyOfRange(blob, 0, 25_000));
        berth.close();

        berth = RunningBerth.start(root);
        client = berth.client();
        assertEquals("0-24999", header(client.get(location), "Range"));
        client.send("PATCH", location, Arrays.copyOfRange(blob, 25_000, 40_000), "Content-Range", "25000-39999");
        assertEquals(201, client.send("PUT", location + "?digest=" + TestData.digest(blob), null).statusCode());
        assertArrayEquals(blob, client.get("/v2/team/app/blobs/" + TestData.digest(blob)).body());
        try (Stream<Path> uploads = Files.list(root.resolve("uploads"))) {
            assertEquals(0, uploads.count(), "finished uploads leave nothing behind");
        }
    }

    @Test
    void uploadLimitIsEnforced(@TempDir Path other) {
        try (RunningBerth limited = RunningBerth.start(other, "limits: {max-upload-size: 1KiB}")) {
            byte[] blob = TestData.bytes(2000, 16);
            HttpResponse<byte[]> r = limited.client().send("POST",
                    "/v2/team/app/blobs/uploads/?digest=" + TestData.digest(blob), blob);
            assertError(r, 413, "SIZE_INVALID");
            assertError(limited.client().head("/v2/team/app/blobs/" + TestData.digest(blob)), 404, "BLOB_UNKNOWN");
        }
    }
}
