package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What berth's compare-and-set sends to S3 and how it reads the answers, against a stand-in for a service that keeps
 * conditional writes as AWS S3 does (s3proxy ignores them, so it cannot show this): If-None-Match to create, If-Match
 * with the entity tag to replace, 412 and 409 as a lost race.
 */
class S3ConditionalWritesTest {
    @StartStop
    public final MockWebServer s3 = new MockWebServer();

    private S3ConditionalWrites writes() {
        S3Client client = S3Clients.client(new S3Settings(Optional.of(s3.url("/").uri()), "us-east-1", "berth", true,
                "AKIATEST", "not-a-real-secret"));
        return new S3ConditionalWrites(client, "berth");
    }

    private static MockResponse status(int code, String s3Code) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/xml")
                .body("<Error><Code>" + s3Code + "</Code><Message>condition</Message></Error>").build();
    }

    @Test
    void createsWithIfNoneMatchAndReplacesWithIfMatchOfTheVersionRead() throws Exception {
        S3ConditionalWrites writes = writes();
        s3.enqueue(new MockResponse.Builder().addHeader("ETag", "\"v1\"").build());
        s3.enqueue(status(412, "PreconditionFailed"));
        s3.enqueue(new MockResponse.Builder().addHeader("ETag", "\"v2\"").build());
        s3.enqueue(status(409, "ConditionalRequestConflict"));

        assertTrue(writes.writeIfAbsent("cluster/leases/gc", new byte[] {1}));
        assertFalse(writes.writeIfAbsent("cluster/leases/gc", new byte[] {2}), "412: someone else created it");
        assertTrue(writes.writeIfMatch("cluster/leases/gc", new byte[] {3}, "\"v1\""));
        assertFalse(writes.writeIfMatch("cluster/leases/gc", new byte[] {4}, "\"v2\""), "409: a race in flight");

        RecordedRequest create = s3.takeRequest();
        assertEquals("PUT", create.getMethod());
        assertEquals("/berth/cluster/leases/gc", create.getTarget());
        assertEquals("*", create.getHeaders().get("If-None-Match"));
        assertEquals("*", s3.takeRequest().getHeaders().get("If-None-Match"));
        RecordedRequest replace = s3.takeRequest();
        assertEquals("\"v1\"", replace.getHeaders().get("If-Match"));
        assertEquals(null, replace.getHeaders().get("If-None-Match"));
        assertEquals("\"v2\"", s3.takeRequest().getHeaders().get("If-Match"));
    }

    @Test
    void aStoreThatKeepsTheConditionsIsFoundToDoSo() throws Exception {
        S3ConditionalWrites writes = writes();
        s3.enqueue(new MockResponse.Builder().code(204).build());
        s3.enqueue(new MockResponse.Builder().addHeader("ETag", "\"v1\"").build());
        s3.enqueue(status(412, "PreconditionFailed"));
        s3.enqueue(new MockResponse.Builder().code(204).build());

        assertTrue(writes.honoured("cluster/probe-a"));
        assertEquals("DELETE", s3.takeRequest().getMethod(), "a probe a crash left goes first");
    }
}
