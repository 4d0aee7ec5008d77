package dev.berth.it;

import static dev.berth.support.OciLayoutAssertions.assertSameFile;
import static dev.berth.support.OciLayoutAssertions.refDigest;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.BerthServer;
import dev.berth.config.ConfigLoader;
import dev.berth.support.DistributionRegistry;
import dev.berth.support.ExternalCommand;
import dev.berth.support.OciLayoutAssertions;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.OciLayoutBuilder.Blob;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.OciLayoutBuilder.Index;
import dev.berth.support.Skopeo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes images made by the test through berth with skopeo, pulls them back, and compares berth with distribution. */
class SkopeoClientTest {
    private static final int MIB = 1024 * 1024;
    private static final String ACCEPT_MANIFESTS = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path work;

    private static Skopeo skopeo;
    private static Path input;
    private static Image image;
    private static Index index;
    private static BerthServer berth;

    @BeforeAll
    static void setUp() {
        skopeo = Skopeo.find();
        input = work.resolve("input");
        OciLayoutBuilder layout = new OciLayoutBuilder(input, 42);
        image = layout.image("amd64", 3, 3 * MIB);
        index = layout.index(layout.image("amd64", 1, MIB), layout.image("arm64", 1, MIB));
        layout.tag("single", image.manifest()).tag("multi", index.manifest());
        berth = BerthServer.start(ConfigLoader.fromYaml(
                "{server: {host: 127.0.0.1, port: 0}, storage: {root: \"" + work.resolve("berth") + "\"}}"));
    }

    @AfterAll
    static void tearDown() {
        if (berth != null) {
            berth.close();
        }
    }

    @Test
    void imagePushedToBerthComesBackWithTheSameDigestsAndBytes() throws IOException {
        String ref = "docker://" + berthHost() + "/team/app:1";
        Path digestFile = work.resolve("single.digest");
        skopeo.copy(source("single"), ref, "--preserve-digests", "--digestfile", digestFile.toString());
        assertEquals(image.manifest().digest(), Files.readString(digestFile).strip());
        assertArrayEquals(Files.readAllBytes(blobIn(image.manifest())), skopeo.inspectRaw(ref),
                "manifest served differs from the one pushed");

        Path output = work.resolve("single-out");
        skopeo.copy(ref, "oci:" + output + ":1", "--preserve-digests");
        assertEquals(image.manifest().digest(), refDigest(output, "1"));
        assertSameBlobs(output, image);
    }

    @Test
    void multiArchIndexSurvivesARoundTripWithAll() throws IOException {
        String ref = "docker://" + berthHost() + "/team/multi:1";
        Path digestFile = work.resolve("multi.digest");
        skopeo.copy(source("multi"), ref, "--all", "--preserve-digests", "--digestfile", digestFile.toString());
        assertEquals(index.manifest().digest(), Files.readString(digestFile).strip());

        Path output = work.resolve("multi-out");
        skopeo.copy(ref, "oci:" + output + ":1", "--all", "--preserve-digests");
        assertEquals(index.manifest().digest(), refDigest(output, "1"));
        assertSameFile(blobIn(index.manifest()), OciLayoutBuilder.blobPath(output, index.manifest()));
        for (Image child : index.images()) {
            assertSameBlobs(output, child);
        }
    }

    @Test
    void copiesAnImageBetweenRepositoriesOfBerth() throws Exception {
        String source = "docker://" + berthHost() + "/team/origin:1";
        String destination = "docker://" + berthHost() + "/other/copy:1";
        skopeo.copy(source("single"), source, "--preserve-digests");
        // skopeo knows the blobs are in team/origin of the same registry, so it asks berth to mount them.
        skopeo.copy(source, destination, "--preserve-digests");
        assertArrayEquals(Files.readAllBytes(blobIn(image.manifest())), skopeo.inspectRaw(destination));
        for (Blob blob : Stream.concat(Stream.of(image.config()), image.layers().stream()).toList()) {
            HttpResponse<byte[]> response = send(berthUrl(), "other/copy/blobs/" + blob.digest(), "GET");
            assertEquals(200, response.statusCode(), blob.digest());
            assertArrayEquals(Files.readAllBytes(blobIn(blob)), response.body(), blob.digest());
        }
    }

    @Test
    void listsPushedTagsAndForgetsADeletedImage() throws Exception {
        String repo = "docker://" + berthHost() + "/team/tagged";
        skopeo.copy(source("single"), repo + ":1", "--preserve-digests");
        skopeo.copy(source("multi"), repo + ":multi", "--all", "--preserve-digests");
        assertEquals(Set.of("1", "multi"), tags(repo));

        // skopeo deletes by digest, which also drops the tag; the other tag names another manifest and stays.
        skopeo.delete(repo + ":1");
        ExternalCommand.Result inspect = skopeo.tryInspect(repo + ":1");
        assertNotEquals(0, inspect.exitCode(), "inspect of a deleted image succeeded");
        assertTrue(inspect.stderr().contains("manifest unknown"), inspect.stderr());
        assertEquals(404, send(berthUrl(), "team/tagged/manifests/" + image.manifest().digest(), "GET").statusCode());
        assertEquals(Set.of("multi"), tags(repo));
    }

    @Test
    void servesTheSameManifestsAsDistribution(@TempDir Path peerDir) throws Exception {
        try (DistributionRegistry peer = DistributionRegistry.start(peerDir)) {
            for (String host : List.of(berthHost(), peer.hostPort())) {
                skopeo.copy(source("multi"), "docker://" + host + "/team/same:multi", "--all", "--preserve-digests");
            }
            // The index by tag and digest, each child manifest, and (as a spot check of blobs) each child's config.
            List<String> paths = new ArrayList<>(List.of("team/same/manifests/multi",
                    "team/same/manifests/" + index.manifest().digest()));
            for (Image child : index.images()) {
                paths.add("team/same/manifests/" + child.manifest().digest());
                paths.add("team/same/blobs/" + child.config().digest());
            }
            for (String path : paths) {
                for (String method : List.of("GET", "HEAD")) {
                    assertSameResponse(send(peer.url(), path, method), send(berthUrl(), path, method),
                            method + " " + path);
                }
            }
            // References that are neither a tag nor a digest name nothing: 404 from both (the OCI conformance suite
            // asks for .INVALID_MANIFEST_NAME). distribution's 404 is its router's plain text, berth's the spec's
            // MANIFEST_UNKNOWN. A PUT is left out on purpose: berth says TAG_INVALID (400) where distribution's
            // router says 404.
            for (String reference : List.of(".INVALID_MANIFEST_NAME", "-v1", "t".repeat(129))) {
                String path = "team/same/manifests/" + reference;
                for (String method : List.of("GET", "HEAD", "DELETE")) {
                    int expected = send(peer.url(), path, method).statusCode();
                    assertEquals(404, expected, "distribution's status for " + method + " " + path);
                    assertEquals(expected, send(berthUrl(), path, method).statusCode(), method + " " + path);
                }
            }
        }
    }

    @Test
    void distributionCanMirrorBerth(@TempDir Path proxyDir) throws IOException {
        skopeo.copy(source("multi"), "docker://" + berthHost() + "/team/mirrored:1", "--all", "--preserve-digests");
        // distribution's pull-through cache is a second, independent client of berth's pull API.
        try (DistributionRegistry proxy = DistributionRegistry.start(proxyDir, Optional.of(berthUrl()))) {
            Path output = work.resolve("mirrored-out");
            skopeo.copy("docker://" + proxy.hostPort() + "/team/mirrored:1", "oci:" + output + ":1",
                    "--all", "--preserve-digests");
            assertEquals(index.manifest().digest(), refDigest(output, "1"));
            for (Image child : index.images()) {
                assertSameBlobs(output, child);
            }
        }
    }

    private static void assertSameResponse(HttpResponse<byte[]> expected, HttpResponse<byte[]> actual, String what) {
        assertAll(what,
                () -> assertEquals(200, expected.statusCode(), "distribution status"),
                () -> assertEquals(expected.statusCode(), actual.statusCode(), "status"),
                () -> assertArrayEquals(expected.body(), actual.body(), "body"),
                () -> assertEquals(header(expected, "Docker-Content-Digest"), header(actual, "Docker-Content-Digest"),
                        "Docker-Content-Digest"),
                () -> assertEquals(header(expected, "Content-Type"), header(actual, "Content-Type"), "Content-Type"),
                () -> assertEquals(header(expected, "Content-Length"), header(actual, "Content-Length"),
                        "Content-Length"));
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** Sends {@code METHOD /v2/PATH}, accepting every manifest type both registries store. */
    private static HttpResponse<byte[]> send(String baseUrl, String path, String method)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + path))
                .header("Accept", ACCEPT_MANIFESTS)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Set<String> tags(String repo) throws IOException {
        Set<String> tags = new TreeSet<>();
        JSON.readTree(skopeo.listTags(repo)).path("Tags").forEach(tag -> tags.add(tag.asText()));
        return tags;
    }

    /** The image's manifest, config and layers are in {@code output} with exactly the bytes the test made. */
    private static void assertSameBlobs(Path output, Image image) throws IOException {
        OciLayoutAssertions.assertSameBlobs(input, output, image);
    }

    private static Path blobIn(Blob blob) {
        return OciLayoutBuilder.blobPath(input, blob);
    }

    private static String source(String refName) {
        return "oci:" + input + ":" + refName;
    }

    private static String berthHost() {
        return "127.0.0.1:" + berth.port();
    }

    private static String berthUrl() {
        return "http://" + berthHost();
    }
}
