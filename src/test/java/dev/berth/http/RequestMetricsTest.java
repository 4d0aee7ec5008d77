package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.http.RequestEvents.Kind;
import org.junit.jupiter.api.Test;

/** Which kind each path counts as in {@code berth_http_requests_total}. */
class RequestMetricsTest {
    private static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void pathsOfTheApiCountAsTheirResource() {
        assertEquals(Kind.BASE, RequestMetrics.kind("/v2/"));
        assertEquals(Kind.BASE, RequestMetrics.kind("/v2"));
        assertEquals(Kind.CATALOG, RequestMetrics.kind("/v2/_catalog"));
        assertEquals(Kind.TAGS, RequestMetrics.kind("/v2/library/busybox/tags/list"));
        assertEquals(Kind.MANIFEST, RequestMetrics.kind("/v2/library/busybox/manifests/latest"));
        assertEquals(Kind.BLOB, RequestMetrics.kind("/v2/library/busybox/blobs/" + DIGEST));
        assertEquals(Kind.UPLOAD, RequestMetrics.kind("/v2/team/app/blobs/uploads/"));
        assertEquals(Kind.UPLOAD, RequestMetrics.kind("/v2/team/app/blobs/uploads/5f1e"));
        assertEquals(Kind.REFERRERS, RequestMetrics.kind("/v2/team/app/referrers/" + DIGEST));
        assertEquals(Kind.TOKEN, RequestMetrics.kind("/auth/token"));
    }

    @Test
    void everythingElseCountsAsOther() {
        assertEquals(Kind.OTHER, RequestMetrics.kind("/observe/metrics"));
        assertEquals(Kind.OTHER, RequestMetrics.kind("/v2/library/busybox/manifests/latest/extra"));
        assertEquals(Kind.OTHER, RequestMetrics.kind("/v2/UPPER/manifests/latest"));
        assertEquals(Kind.OTHER, RequestMetrics.kind("/v2x"));
        assertEquals(Kind.OTHER, RequestMetrics.kind("/"));
    }
}
