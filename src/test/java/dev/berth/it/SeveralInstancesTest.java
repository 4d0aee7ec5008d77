package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.ChildBerth;
import dev.berth.support.Htpasswd;
import dev.berth.support.Nginx;
import dev.berth.support.OciLayoutAssertions;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.S3Server;
import dev.berth.support.Skopeo;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three berths on one S3 bucket (s3proxy) behind Debian's nginx with docs/fleet.md's site: any request may reach any
 * instance, and every instance sees everything any of them stored, also after a restart on empty local disks.
 */
class SeveralInstancesTest {
    private static final String USER = "alice";
    private static final String PASSWORD = "several-instances-7";
    private static final int MIB = 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path work;

    private S3Server s3;
    private final List<ChildBerth> berths = new ArrayList<>();
    private Nginx nginx;

    @BeforeEach
    void startFleet() throws Exception {
        s3 = S3Server.start(work.resolve("s3"));
        s3.createBucket("berth");
        Files.writeString(work.resolve("cluster.key"), Base64.getEncoder().encodeToString(TestData.bytes(32, 5)));
        Htpasswd.run("-B", "-b", "-c", work.resolve("htpasswd").toString(), USER, PASSWORD);
        for (int i = 0; i < 3; i++) {
            berths.add(startBerth(i));
        }
        nginx = Nginx.start(work.resolve("nginx"), berths.stream().map(ChildBerth::port).toList());
    }

    private ChildBerth startBerth(int i) throws IOException {
        Path root = work.resolve("local-" + i + "-" + System.nanoTime());
        return ChildBerth.startWithConfig("""
                server: {host: 127.0.0.1, port: 0}
                storage:
                  root: '%s'
                  s3: {endpoint: '%s', bucket: berth, access-key: %s, secret-key: %s}
                cluster: {secret-file: '%s'}
                auth: {htpasswd: '%s'}
                private: {repositories: ['team/*']}
                """.formatted(root, s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY,
                work.resolve("cluster.key"), work.resolve("htpasswd")));
    }

    @AfterEach
    void stopFleet() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        berths.forEach(ChildBerth::close);
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void skopeoPushesAndPullsThroughTheBalancerAndEveryInstanceServesIt() throws Exception {
        Path input = work.resolve("input");
        OciLayoutBuilder layout = new OciLayoutBuilder(input, 11);
        Image image = layout.image("amd64", 3, 6 * MIB);
        layout.tag("1", image.manifest());
        Skopeo skopeo = Skopeo.find().loggedInAs(USER, PASSWORD);
        String viaBalancer = "docker://127.0.0.1:" + nginx.port() + "/team/app:1";
        skopeo.copy("oci:" + input + ":1", viaBalancer, "--dest-tls-verify=false", "--preserve-digests");

        byte[] manifest = Files.readAllBytes(OciLayoutBuilder.blobPath(input, image.manifest()));
        for (ChildBerth berth : berths) {
            assertArrayEquals(manifest, skopeo.inspectRaw("docker://127.0.0.1:" + berth.port() + "/team/app:1"),
                    "instance on port " + berth.port());
        }
        Path output = work.resolve("output");
        skopeo.copy(viaBalancer, "oci:" + output + ":1", "--src-tls-verify=false");
        OciLayoutAssertions.assertSameBlobs(input, output, image);
    }

    @Test
    void aChunkedUploadSpreadOverThreeInstancesCompletesWithATokenFromTheFirst() throws Exception {
        String token = token(berths.get(0), "repository:team/chunked:pull,push");
        byte[] blob = TestData.bytes(12 * MIB + 3, 9);
        String digest = dev.berth.oci.Digest.sha256(blob).toString();

        HttpResponse<String> started = send(berths.get(0), "POST", "/v2/team/chunked/blobs/uploads/", token,
                new byte[0], Optional.empty());
        assertEquals(202, started.statusCode(), started.body());
        String location = started.headers().firstValue("Location").orElseThrow();
        int[] cuts = {0, 7 * MIB, 7 * MIB + 100, blob.length};
        for (int i = 0; i < 2; i++) {
            byte[] chunk = java.util.Arrays.copyOfRange(blob, cuts[i], cuts[i + 1]);
            HttpResponse<String> patched = send(berths.get(i + 1), "PATCH", location, token, chunk,
                    Optional.of(cuts[i] + "-" + (cuts[i + 1] - 1)));
            assertEquals(202, patched.statusCode(), patched.body());
            assertEquals("0-" + (cuts[i + 1] - 1), patched.headers().firstValue("Range").orElseThrow());
            location = patched.headers().firstValue("Location").orElseThrow();
        }
        byte[] last = java.util.Arrays.copyOfRange(blob, cuts[2], cuts[3]);
        HttpResponse<String> done = send(berths.get(0), "PUT", location + (location.contains("?") ? "&" : "?")
                + "digest=" + digest, token, last, Optional.empty());
        assertEquals(201, done.statusCode(), done.body());

        for (ChildBerth berth : berths) {
            HttpResponse<byte[]> got = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + berth.port() + "/v2/team/chunked/blobs/" + digest))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, got.statusCode());
            assertArrayEquals(blob, got.body(), "instance on port " + berth.port());
        }
    }

    @Test
    void instancesRestartedOnEmptyDisksStillServeEverythingAndOneDownFailsNoPull() throws Exception {
        Path input = work.resolve("input");
        OciLayoutBuilder layout = new OciLayoutBuilder(input, 12);
        Image image = layout.image("amd64", 2, 3 * MIB);
        layout.tag("1", image.manifest());
        Skopeo skopeo = Skopeo.find().loggedInAs(USER, PASSWORD);
        String viaBalancer = "docker://127.0.0.1:" + nginx.port() + "/team/kept:1";
        skopeo.copy("oci:" + input + ":1", viaBalancer, "--dest-tls-verify=false", "--preserve-digests");

        berths.get(2).kill();
        for (int i = 0; i < 3; i++) {
            Path output = work.resolve("with-one-down-" + i);
            skopeo.copy(viaBalancer, "oci:" + output + ":1", "--src-tls-verify=false");
            OciLayoutAssertions.assertSameBlobs(input, output, image);
        }

        nginx.close();
        berths.forEach(ChildBerth::close);
        berths.clear();
        for (int i = 0; i < 3; i++) {
            berths.add(startBerth(i));
        }
        nginx = Nginx.start(work.resolve("nginx-again"), berths.stream().map(ChildBerth::port).toList());
        Path output = work.resolve("after-restart");
        skopeo.copy("docker://127.0.0.1:" + nginx.port() + "/team/kept:1", "oci:" + output + ":1",
                "--src-tls-verify=false");
        OciLayoutAssertions.assertSameBlobs(input, output, image);
    }

    private static String token(ChildBerth berth, String scope) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + berth.port()
                + "/auth/token?service=berth&scope=" + scope)).header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new ObjectMapper().readTree(r.body()).path("token").asText();
    }

    private static HttpResponse<String> send(ChildBerth berth, String method, String path, String token, byte[] body,
                                             Optional<String> contentRange) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + berth.port()).resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        contentRange.ifPresent(range -> request.header("Content-Range", range));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() < 500, method + " " + path + ": " + response.statusCode() + " "
                + response.body() + "\n" + berth.output());
        return response;
    }
}
