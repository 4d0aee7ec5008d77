package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.Htpasswd;
import dev.berth.support.OciLayoutAssertions;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.RunningBerth;
import dev.berth.support.S3Server;
import dev.berth.support.Skopeo;
import dev.berth.support.TestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code storage.s3.redirect}: a blob GET that passed the access check is sent to a presigned URL of the object. */
class BlobRedirectTest {
    private static final String USER = "bob";
    private static final String PASSWORD = "redirect-me-9";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path work;
    private static S3Server s3;
    private static RunningBerth berth;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start(work.resolve("s3"));
        s3.createBucket("berth");
        Htpasswd.run("-B", "-b", "-c", work.resolve("htpasswd").toString(), USER, PASSWORD);
        Files.writeString(work.resolve("cluster.key"), "a-cluster-secret-of-more-than-thirty-two-characters");
        berth = RunningBerth.startWithStorage(s3.storageYaml(work.resolve("local"), "berth", ", redirect: true"),
                "auth: {htpasswd: '" + work.resolve("htpasswd")
                + "'}\ncluster: {secret-file: '" + work.resolve("cluster.key") + "'}\n"
                + "private: {repositories: ['team/*']}\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (berth != null) {
            berth.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void anAuthorizedGetIsRedirectedToTheObjectAndAnAnonymousOneIsChallenged() throws Exception {
        byte[] blob = TestData.bytes(3 * 1024 * 1024, 4);
        String digest = Digest.sha256(blob).toString();
        berth.client().withBasic(USER, PASSWORD).pushBlob("team/redirected", blob);

        HttpResponse<byte[]> redirected = berth.client().withBasic(USER, PASSWORD)
                .get("/v2/team/redirected/blobs/" + digest);
        assertEquals(307, redirected.statusCode());
        URI location = URI.create(redirected.headers().firstValue("Location").orElseThrow());
        assertEquals(s3.endpoint().getAuthority(), location.getAuthority(), "the client is sent to the store");
        assertEquals(digest, redirected.headers().firstValue("Docker-Content-Digest").orElseThrow());
        HttpResponse<byte[]> fetched = HTTP.send(HttpRequest.newBuilder(location).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fetched.statusCode());
        assertArrayEquals(blob, fetched.body());

        assertEquals(401, berth.client().get("/v2/team/redirected/blobs/" + digest).statusCode(),
                "no URL for someone who may not pull");
        HttpResponse<byte[]> head = berth.client().withBasic(USER, PASSWORD)
                .head("/v2/team/redirected/blobs/" + digest);
        assertEquals(200, head.statusCode(), "HEAD is answered by berth");
        assertTrue(head.headers().firstValue("Location").isEmpty());
    }

    @Test
    void skopeoFollowsTheRedirects() throws Exception {
        Path input = work.resolve("input");
        OciLayoutBuilder layout = new OciLayoutBuilder(input, 21);
        Image image = layout.image("amd64", 2, 2 * 1024 * 1024);
        layout.tag("1", image.manifest());
        Skopeo skopeo = Skopeo.find().loggedInAs(USER, PASSWORD);
        String ref = "docker://127.0.0.1:" + berth.port() + "/team/app:1";
        skopeo.copy("oci:" + input + ":1", ref, "--dest-tls-verify=false", "--preserve-digests");
        Path output = work.resolve("output");
        skopeo.copy(ref, "oci:" + output + ":1", "--src-tls-verify=false");
        OciLayoutAssertions.assertSameBlobs(input, output, image);
    }
}
