package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A berth with what an operator's view shows: Debian's docker-registry as its Docker Hub, from which a multi-arch
 * {@code library/busybox:1.36} (one platform pulled) and {@code library/alpine:3} were pulled through berth, the
 * upstream also holding {@code library/nginx:1} not pulled yet; and the private {@code team/app:1} and
 * {@code team/secret-db:1}. Accounts: alice administers everything and alone may see {@code team/secret-*}; bob may
 * pull the rest; anonymous visitors see mirrored repositories only.
 */
public final class AdminContent implements AutoCloseable {
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private final DistributionRegistry upstream;
    private final RunningBerth berth;
    /** The digest of {@code library/busybox:1.36}'s index and of its linux/amd64 image. */
    public final String busyboxIndex;
    public final String busyboxAmd64;

    private AdminContent(DistributionRegistry upstream, RunningBerth berth, String busyboxIndex,
                         String busyboxAmd64) {
        this.upstream = upstream;
        this.berth = berth;
        this.busyboxIndex = busyboxIndex;
        this.busyboxAmd64 = busyboxAmd64;
    }

    /** Starts it all under {@code dir}; {@code extraYaml} adds top-level sections (a cache budget, say). */
    public static AdminContent start(Path dir, String extraYaml) {
        DistributionRegistry upstream = DistributionRegistry.start(dir.resolve("upstream"));
        try {
            TestClient hub = new TestClient(URI.create(upstream.url()));
            byte[] amd64 = pushToUpstream(hub, "library/busybox", "amd64",
                    TestData.utf8("{\"architecture\":\"amd64\",\"os\":\"linux\"}"), TestData.bytes(40_000, 1));
            byte[] arm64 = pushToUpstream(hub, "library/busybox", "arm64",
                    TestData.utf8("{\"architecture\":\"arm64\",\"os\":\"linux\"}"), TestData.bytes(30_000, 2));
            byte[] index = TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":["
                    + platform(amd64, "amd64") + "," + platform(arm64, "arm64") + "]}");
            assertEquals(201, hub.putManifest("library/busybox", "1.36", index, INDEX).statusCode());
            pushToUpstream(hub, "library/alpine", "3", TestData.utf8("{\"os\":\"linux\"}"), TestData.bytes(20_000, 3));
            pushToUpstream(hub, "library/nginx", "1", TestData.utf8("{\"os\":\"linux\",\"n\":1}"), TestData.bytes(25_000, 4),
                    TestData.bytes(15_000, 5));

            Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
            RunningBerth berth = RunningBerth.start(dir.resolve("data"), """
                    mirror:
                      upstreams:
                        - {registry: docker.io, url: '%s', default: true}
                    private:
                      repositories: ['team/*']
                    auth:
                      htpasswd: '%s'
                      rules:
                        - {repositories: ['team/secret-*'], pull: [alice], push: [alice], delete: [alice], admin: [alice]}
                        - {repositories: ['*'], pull: ['*'], push: ['*'], delete: ['*'], admin: [alice]}
                    """.formatted(upstream.url(), htpasswd) + extraYaml);
            AdminContent content = new AdminContent(upstream, berth, TestData.digest(index), TestData.digest(amd64));
            content.fill();
            return content;
        } catch (RuntimeException | Error e) {
            upstream.close();
            throw e;
        }
    }

    private void fill() {
        TestClient alice = berth.client().withBasic("alice", Htpasswd.ALICE_PASSWORD);
        alice.pushImage("team/app", "1", TestData.utf8("{\"app\":1}"), TestData.bytes(10_000, 6));
        alice.pushImage("team/secret-db", "1", TestData.utf8("{\"db\":1}"), TestData.bytes(12_000, 7));
        TestClient anonymous = berth.client();
        pull(anonymous, "library/busybox", "1.36", INDEX);
        pull(anonymous, "library/busybox", busyboxAmd64, MANIFEST);
        pull(anonymous, "library/alpine", "3", MANIFEST);
    }

    /** Pulls a manifest through berth and, for an image, its blobs, as a client would. */
    private static void pull(TestClient client, String repo, String reference, String accept) {
        HttpResponse<byte[]> manifest = client.get("/v2/" + repo + "/manifests/" + reference, "Accept", accept);
        assertEquals(200, manifest.statusCode(), () -> new String(manifest.body()));
        if (accept.equals(MANIFEST)) {
            Matcher digests = Pattern.compile("sha256:[0-9a-f]{64}")
                    .matcher(new String(manifest.body()));
            while (digests.find()) {
                String path = "/v2/" + repo + "/blobs/" + digests.group();
                assertEquals(200, client.get(path).statusCode(), path);
            }
        }
    }

    /** Pushes an image to docker-registry, which takes blobs by a POST and a PUT only (no one-request upload). */
    private static byte[] pushToUpstream(TestClient hub, String repo, String tag, byte[] config, byte[]... layers) {
        hub.pushBlob(repo, new ByteArrayInputStream(config));
        for (byte[] layer : layers) {
            hub.pushBlob(repo, new ByteArrayInputStream(layer));
        }
        byte[] manifest = TestData.ociManifest(config, layers);
        HttpResponse<byte[]> r = hub.putManifest(repo, tag, manifest, MANIFEST);
        assertEquals(201, r.statusCode(), () -> new String(r.body()));
        return manifest;
    }

    private static String platform(byte[] manifest, String architecture) {
        return "{\"mediaType\":\"" + MANIFEST + "\",\"digest\":\"" + TestData.digest(manifest) + "\",\"size\":"
                + manifest.length + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"" + architecture + "\"}}";
    }

    public RunningBerth berth() {
        return berth;
    }

    public TestClient client() {
        return berth.client();
    }

    public DistributionRegistry upstream() {
        return upstream;
    }

    @Override
    public void close() {
        try {
            berth.close();
        } finally {
            upstream.close();
        }
    }
}
