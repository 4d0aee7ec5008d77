package dev.berth.upstream;

import static dev.berth.upstream.Fixtures.BUSYBOX;
import static dev.berth.upstream.Fixtures.LATEST;
import static dev.berth.upstream.Fixtures.MANIFEST;
import static dev.berth.upstream.Fixtures.MANIFEST_DIGEST;
import static dev.berth.upstream.Fixtures.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.upstream.UpstreamClient.Patience;
import java.nio.charset.StandardCharsets;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** Manifest GET and HEAD: raw bytes, digests checked against every claim, the Accept header Docker Hub needs. */
class ManifestTest {
    private static final Reference BY_DIGEST = new Reference.ByDigest(MANIFEST_DIGEST);

    @StartStop
    public final MockWebServer registry = new MockWebServer();

    @Test
    void getReturnsTheRawBytesWithTheirDigest() throws Exception {
        registry.enqueue(manifest());

        UpstreamManifest got = Fixtures.client(registry).getManifest(BUSYBOX, LATEST, 4096).orElseThrow();

        assertArrayEquals(MANIFEST, got.bytes());
        assertEquals(MANIFEST_DIGEST, got.digest());
        assertEquals(MediaTypes.OCI_MANIFEST, got.mediaType());
        RecordedRequest request = registry.takeRequest();
        assertEquals("GET", request.getMethod());
        assertEquals("/v2/library/busybox/manifests/latest", request.getUrl().encodedPath());
        String accept = request.getHeaders().get("Accept");
        for (String type : MediaTypes.MANIFESTS) {
            assertTrue(accept.contains(type), accept);
        }
    }

    @Test
    void getByDigestWithoutHeaderIsCheckedAgainstTheReference() {
        registry.enqueue(manifest(MANIFEST, null));
        UpstreamManifest got = Fixtures.client(registry).getManifest(BUSYBOX, BY_DIGEST, 4096).orElseThrow();
        assertEquals(MANIFEST_DIGEST, got.digest());
    }

    @Test
    void bytesNotMatchingDockerContentDigestAreRefused() {
        registry.enqueue(manifest(MANIFEST, Digest.sha256("other".getBytes(StandardCharsets.UTF_8))));
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> Fixtures.client(registry).getManifest(BUSYBOX, LATEST, 4096));
        assertEquals(200, e.status());
    }

    @Test
    void bytesNotMatchingTheRequestedDigestAreRefused() {
        byte[] tampered = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        // The header is consistent with the bytes: only the reference exposes the substitution.
        registry.enqueue(manifest(tampered, Digest.sha256(tampered)));
        assertThrows(UpstreamException.class, () -> Fixtures.client(registry).getManifest(BUSYBOX, BY_DIGEST, 4096));
    }

    @Test
    void manifestOverTheLimitIsRefused() {
        registry.enqueue(manifest());
        assertThrows(UpstreamException.class,
                () -> Fixtures.client(registry).getManifest(BUSYBOX, LATEST, MANIFEST.length - 1));
    }

    @Test
    void headReportsDigestTypeAndSize() throws Exception {
        registry.enqueue(manifest());

        ManifestHead head = Fixtures.client(registry).headManifest(BUSYBOX, LATEST, Patience.FULL).orElseThrow();

        assertEquals(new ManifestHead(MANIFEST_DIGEST, MediaTypes.OCI_MANIFEST, MANIFEST.length), head);
        RecordedRequest request = registry.takeRequest();
        assertEquals("HEAD", request.getMethod());
        assertTrue(request.getHeaders().get("Accept").contains(MediaTypes.OCI_INDEX));
    }

    @Test
    void headWithADifferentDigestThanRequestedIsRefused() {
        registry.enqueue(manifest(MANIFEST, Digest.sha256(new byte[0])));
        assertThrows(UpstreamException.class,
                () -> Fixtures.client(registry).headManifest(BUSYBOX, BY_DIGEST, Patience.FULL));
    }
}
