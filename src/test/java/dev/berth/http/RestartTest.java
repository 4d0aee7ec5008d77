package dev.berth.http;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What was pushed is still there after berth stops and starts again; what a crash left half-done is not. */
class RestartTest {
    @TempDir
    Path root;

    @Test
    void pushStopStartPull() {
        byte[] layer = TestData.bytes(300_000, 40);
        byte[] manifest;
        try (RunningBerth berth = RunningBerth.start(root)) {
            manifest = berth.client().pushImage("team/app", "1.0", TestData.utf8("{}"), layer);
        }
        try (RunningBerth berth = RunningBerth.start(root)) {
            TestClient client = berth.client();
            assertArrayEquals(manifest, client.get("/v2/team/app/manifests/1.0").body());
            assertArrayEquals(layer, client.get("/v2/team/app/blobs/" + TestData.digest(layer)).body());
            assertEquals("[\"1.0\"]", json(client.get("/v2/team/app/tags/list")).path("tags").toString());
            assertEquals("[\"team/app\"]", json(client.get("/v2/_catalog")).path("repositories").toString());
        }
    }

    @Test
    void manifestPushedUnderAHigherLimitIsStillServed() {
        byte[] manifest;
        try (RunningBerth berth = RunningBerth.start(root)) {
            manifest = berth.client().pushImage("team/app", "1.0", TestData.utf8("{}"), TestData.bytes(1000, 41));
        }
        try (RunningBerth berth = RunningBerth.start(root,
                "storage: {root: '" + root + "'}\nlimits: {max-manifest-size: 100B}")) {
            var response = berth.client().get("/v2/team/app/manifests/1.0");
            assertEquals(200, response.statusCode());
            assertArrayEquals(manifest, response.body());
            assertError(berth.client().send("PUT", "/v2/team/app/manifests/1.1", manifest), 413, "SIZE_INVALID");
        }
    }

    @Test
    void crashLeftoversAreRemovedAtStart() throws IOException {
        Files.createDirectories(root.resolve(".tmp"));
        Path leftover = Files.writeString(root.resolve(".tmp/half-written-blob"), "partial");
        try (RunningBerth berth = RunningBerth.start(root)) {
            assertFalse(Files.exists(leftover));
        }
    }

    @Test
    void staleUploadsArePurged() throws InterruptedException {
        String location;
        try (RunningBerth berth = RunningBerth.start(root)) {
            location = berth.client().send("POST", "/v2/team/app/blobs/uploads/", null).headers()
                    .firstValue("Location").orElseThrow();
            berth.client().send("PATCH", location, new byte[1000]);
        }
        try (RunningBerth berth = RunningBerth.start(root, "storage: {root: '" + root + "', upload-timeout: 1ms}")) {
            Poll.until(() -> berth.client().get(location).statusCode() == 404, "the stale upload is purged");
            assertError(berth.client().get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        }
    }
}
