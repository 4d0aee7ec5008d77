package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.ChildBerth;
import dev.berth.support.ExternalCommand;
import dev.berth.support.LogCapture;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.S3Server;
import dev.berth.support.TestData;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bucket unreachable while berth runs, and at start; what clients, health and the log see. */
class BucketOutageTest {
    @TempDir
    Path work;

    private String storageYaml(S3Server s3, String bucket, String secret) {
        return "{root: '" + work.resolve("local") + "', s3: {endpoint: '" + s3.endpoint() + "', bucket: " + bucket
                + ", access-key: " + S3Server.ACCESS_KEY + ", secret-key: " + secret + "}}";
    }

    @Test
    void anOutageIs503WithRetryAfterAndHealthDownUntilTheBucketAnswersAgain() throws Exception {
        try (S3Server s3 = S3Server.start(work.resolve("s3"));
             RunningBerth berth = startOn(s3);
             // After the start, whose web server sets up logging anew.
             LogCapture log = LogCapture.of("dev.berth")) {
            byte[] blob = TestData.bytes(100_000, 3);
            String digest = Digest.sha256(blob).toString();
            berth.client().pushBlob("team/app", blob);

            s3.stop();
            HttpResponse<byte[]> during = berth.client().get("/v2/team/app/blobs/" + digest);
            assertEquals(503, during.statusCode());
            assertEquals("5", during.headers().firstValue("Retry-After").orElseThrow());
            String body = new String(during.body(), StandardCharsets.UTF_8);
            assertTrue(body.contains("\"code\":\"UNAVAILABLE\""), body);
            assertFalse(body.contains("blobs/sha256") || body.contains(S3Server.SECRET_KEY), "no keys, no secret");
            assertEquals(503, berth.client().send("POST", "/v2/team/app/blobs/uploads/", new byte[0]).statusCode());
            Poll.until(() -> berth.client().get("/observe/health").statusCode() == 503, "health to turn DOWN");
            assertTrue(new String(berth.client().get("/observe/health").body(), StandardCharsets.UTF_8)
                    .contains("DOWN"));

            s3.restart();
            Poll.until(() -> berth.client().get("/observe/health").statusCode() == 200, "health to recover");
            HttpResponse<byte[]> after = berth.client().get("/v2/team/app/blobs/" + digest);
            assertEquals(200, after.statusCode());
            assertArrayEquals(blob, after.body());
            assertFalse(log.text().contains(S3Server.SECRET_KEY), "the secret key is never logged");
            assertTrue(log.text().contains("the store cannot serve requests"), log.text());
        }
    }

    @Test
    void startUpNamesAMissingBucketWrongCredentialsAndAnUnreachableStore() throws Exception {
        try (S3Server s3 = S3Server.start(work.resolve("s3"))) {
            s3.createBucket("present");
            ExternalCommand.Result missing = ChildBerth.runUntilExit(config(s3, "absent", S3Server.SECRET_KEY));
            assertEquals(2, missing.exitCode());
            assertTrue(missing.stderr().contains("bucket \"absent\" does not exist"), missing.stderr());

            ExternalCommand.Result refused = ChildBerth.runUntilExit(config(s3, "present", "not-the-secret"));
            assertEquals(2, refused.exitCode());
            assertTrue(refused.stderr().contains("storage.s3.secret-key"), refused.stderr());
            assertFalse(refused.stderr().contains("not-the-secret"), "the secret is not echoed");

            s3.stop();
            ExternalCommand.Result unreachable = ChildBerth.runUntilExit(config(s3, "present", S3Server.SECRET_KEY));
            assertEquals(1, unreachable.exitCode(), "worth trying again: a supervisor restarts it");
            assertTrue(unreachable.stderr().contains("cannot be reached"), unreachable.stderr());
        }
    }

    private String config(S3Server s3, String bucket, String secret) {
        return "server: {host: 127.0.0.1, port: 0}\nstorage: " + storageYaml(s3, bucket, secret) + "\n";
    }

    private RunningBerth startOn(S3Server s3) {
        s3.createBucket("berth");
        return RunningBerth.startWithStorage(storageYaml(s3, "berth", S3Server.SECRET_KEY),
                "private: {repositories: ['team/*']}\n");
    }
}
