package dev.berth.upstream;

import dev.berth.config.BerthConfig;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.support.MockHub;
import dev.berth.support.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;

/** What the upstream tests share: {@link MockHub}'s answers for busybox and a client pointed at MockWebServer. */
final class Fixtures {
    static final RepoName BUSYBOX = RepoName.of("library/busybox");
    static final Reference LATEST = Reference.parse("latest");
    static final String SERVICE = MockHub.DOCKER_HUB_SERVICE;
    static final String SCOPE = "repository:library/busybox:pull";
    static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
            + "a".repeat(64) + "\",\"size\":2},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
    static final Digest MANIFEST_DIGEST = Digest.sha256(MANIFEST);
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    /** One OkHttpClient for all tests, as berth shares one between upstreams. */
    private static final OkHttpClient SHARED = new OkHttpClient();

    private Fixtures() {
    }

    static BerthConfig.Upstream config(MockWebServer registry) {
        return config(registry, null, null, Duration.ofSeconds(5));
    }

    static BerthConfig.Upstream config(MockWebServer registry, String user, String password, Duration readTimeout) {
        return config(registry.url("/").toString(), user, password, readTimeout);
    }

    static BerthConfig.Upstream config(String url, String user, String password, Duration readTimeout) {
        return new BerthConfig.Upstream("docker.io", url, true, Duration.ofMinutes(5), Duration.ofSeconds(30),
                Optional.ofNullable(user), Optional.ofNullable(password), Duration.ofSeconds(2), readTimeout,
                Duration.ofSeconds(1), 64 * 1024, BerthConfig.Access.BERTH, Duration.ofMinutes(1));
    }

    static UpstreamClient client(BerthConfig.Upstream config, MutableClock clock) {
        return new UpstreamClient(config, SHARED, clock);
    }

    static UpstreamClient client(MockWebServer registry) {
        return client(config(registry), new MutableClock(START));
    }

    /** Docker Hub's 401 for an anonymous pull, pointing at {@code auth}'s /token. */
    static MockResponse bearerChallenge(MockWebServer auth) {
        return MockHub.challenge(auth, SERVICE, SCOPE, null);
    }

    /** The manifest as Docker Hub serves it, with its digest announced. */
    static MockResponse manifest() {
        return manifest(MANIFEST, MANIFEST_DIGEST);
    }

    static MockResponse manifest(byte[] bytes, Digest announced) {
        return MockHub.manifestAnswer(bytes, MediaTypes.OCI_MANIFEST, announced, 98);
    }

    static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).build();
    }
}
