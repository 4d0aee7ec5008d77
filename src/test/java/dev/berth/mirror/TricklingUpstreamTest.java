package dev.berth.mirror;

import static dev.berth.support.MockHub.manifestPath;
import static dev.berth.support.RegistryAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.MediaTypes;
import dev.berth.support.MockHub;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * An upstream that answers at once and then sends its document a byte at a time, each byte well within the read
 * timeout: a cold pull fails within connect-timeout + read-timeout for the whole document, manifest or token answer,
 * rather than waiting for as long as the upstream takes to send a few hundred bytes; berth serves on.
 */
class TricklingUpstreamTest extends MirrorTestBase {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    /** connect-timeout (1 s) + read-timeout. */
    private static final long WHOLE_MS = 3000;
    /** A byte every half second: never a read timeout, and hundreds of seconds for the document. */
    private static final long BYTE_EVERY_MS = 500;

    @Override
    protected Duration readTimeout() {
        return READ_TIMEOUT;
    }

    @Test
    void aManifestSentAByteAtATimeFailsWithinTheDocumentTimeout() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 1);
        hub.override("GET", manifestPath(BUSYBOX, image.digest().toString()), () -> trickle(image.manifest()));

        HttpResponse<byte[]> r = timedGet("/v2/busybox/manifests/latest");

        assertError(r, 503, "UNAVAILABLE");
        assertServesOn(image);
    }

    @Test
    void aTokenAnswerSentAByteAtATimeFailsWithinTheDocumentTimeout() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 2);
        Dispatcher tokens = authServer.getDispatcher();
        authServer.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return trickle(("{\"token\":\"t\"," + " ".repeat(400) + "\"expires_in\":60}").getBytes());
            }
        });

        HttpResponse<byte[]> r = timedGet("/v2/busybox/manifests/latest");

        assertError(r, 503, "UNAVAILABLE");
        authServer.setDispatcher(tokens);
        assertServesOn(image);
    }

    /** GET {@code path}, answered after the upstream was given up on, and long before it would have finished. */
    private HttpResponse<byte[]> timedGet(String path) {
        long start = System.nanoTime();
        HttpResponse<byte[]> r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> client.get(path));
        long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(took >= WHOLE_MS - 100 && took < 4 * WHOLE_MS, () -> "answered after " + took + " ms");
        return r;
    }

    /** Past the upstream's backoff, the image is served once the upstream sends it whole. */
    private void assertServesOn(MockHub.Image image) {
        clock.advance(UpstreamFailures.DEFAULT_RETRY.plusSeconds(1));
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlobs("busybox", image);
    }

    private static MockResponse trickle(byte[] body) {
        return new MockResponse.Builder().addHeader("Content-Type", MediaTypes.OCI_MANIFEST)
                .body(new Buffer().write(body)).throttleBody(1, BYTE_EVERY_MS, TimeUnit.MILLISECONDS).build();
    }

}
