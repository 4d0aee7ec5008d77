package dev.berth.upstream;

import static dev.berth.upstream.Fixtures.BUSYBOX;
import static dev.berth.upstream.Fixtures.LATEST;
import static dev.berth.upstream.Fixtures.bearerChallenge;
import static dev.berth.upstream.Fixtures.manifest;
import static dev.berth.support.MockHub.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.http.ServerTls;
import dev.berth.support.MutableClock;
import dev.berth.support.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An https upstream's token realm: credentials go to an https realm on another host, never to a plain-http one. */
class TokenRealmTlsTest {
    @TempDir
    static Path certificates;
    private static TestCertificates certs;

    @StartStop
    public final MockWebServer registry = new MockWebServer();
    @StartStop
    public final MockWebServer httpsAuth = new MockWebServer();
    @StartStop
    public final MockWebServer httpAuth = new MockWebServer();

    private final MutableClock clock = new MutableClock(Fixtures.START);

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.create(certificates, TestCertificates.KeyType.EC);
    }

    /** Serves https before @StartStop starts them (instances are made after @BeforeAll). */
    TokenRealmTlsTest() {
        var tls = ServerTls.load(new BerthConfig.Tls(certs.chain(), certs.key())).sslContext().getSocketFactory();
        registry.useHttps(tls);
        httpsAuth.useHttps(tls);
    }

    @Test
    void anHttpsRealmOnAnotherHostGetsTheCredentials() throws Exception {
        registry.enqueue(bearerChallenge(httpsAuth));
        registry.enqueue(manifest());
        httpsAuth.enqueue(token("tok-1", 300));

        assertTrue(client().getManifest(BUSYBOX, LATEST, 4096).isPresent());

        assertEquals(Credentials.basic("alice", "s3cret-pw"),
                httpsAuth.takeRequest().getHeaders().get("Authorization"));
    }

    @Test
    void aPlainHttpRealmIsRefusedAndNeverSentTheCredentials() {
        registry.enqueue(bearerChallenge(httpAuth));
        httpAuth.enqueue(token("tok-1", 300));

        UpstreamException e = assertThrows(UpstreamException.class,
                () -> client().getManifest(BUSYBOX, LATEST, 4096));

        assertEquals(0, httpAuth.getRequestCount(), "the http realm is not asked at all, so it sees no credentials");
        assertTrue(e.authenticationFailed(), "a failure, not a sign the content is absent");
        assertTrue(e.getMessage().contains("is not https"), e.getMessage());
        assertEquals(1, registry.getRequestCount(), "no retry without a token");
    }

    private UpstreamClient client() {
        OkHttpClient trusting = new OkHttpClient.Builder()
                .sslSocketFactory(certs.clientContext().getSocketFactory(), certs.trustManager()).build();
        BerthConfig.Upstream config = Fixtures.config(registry.url("/").toString(), "alice", "s3cret-pw",
                Duration.ofSeconds(5));
        return new UpstreamClient(config, trusting, clock);
    }
}
