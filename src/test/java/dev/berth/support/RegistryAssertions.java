package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

/** Assertions on registry responses (status plus the spec's error envelope) and on the services' errors. */
public final class RegistryAssertions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryAssertions() {
    }

    /** Asserts the status and that the body is {@code {"errors":[{"code": code, ...}]}}. */
    public static void assertError(HttpResponse<byte[]> r, int status, String code) {
        String body = new String(r.body());
        assertEquals(status, r.statusCode(), () -> "unexpected status, body: " + body);
        if (r.request().method().equals("HEAD")) {
            return;
        }
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode error = json(r).path("errors").path(0);
        assertEquals(code, error.path("code").asText(), () -> "body: " + body);
        assertTrue(error.has("message"), () -> "error without message: " + body);
    }

    /** Parses the body as JSON. */
    public static JsonNode json(HttpResponse<byte[]> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that {@code action} fails with a {@link RegistryException} of {@code expected}. */
    public static void assertRegistryError(OciError expected, Runnable action) {
        try {
            action.run();
        } catch (RegistryException e) {
            assertEquals(expected, e.error());
            return;
        }
        throw new AssertionError("expected " + expected);
    }

    /**
     * A Referrers API answer's listing, each digest with its artifact type, once asserted to be a 200 OCI index whose
     * entries are all image manifests.
     */
    public static Map<String, String> referrers(HttpResponse<byte[]> r) {
        assertEquals(200, r.statusCode(), () -> "body: " + new String(r.body()));
        assertEquals(MediaTypes.OCI_INDEX, header(r, "Content-Type"));
        JsonNode index = json(r);
        assertEquals(2, index.path("schemaVersion").asInt());
        assertEquals(MediaTypes.OCI_INDEX, index.path("mediaType").asText());
        Map<String, String> types = new TreeMap<>();
        for (JsonNode d : index.path("manifests")) {
            assertEquals(MediaTypes.OCI_MANIFEST, d.path("mediaType").asText());
            types.put(d.path("digest").asText(), d.path("artifactType").asText());
        }
        return types;
    }

    /** A response header, or "" when absent. */
    public static String header(HttpResponse<byte[]> r, String name) {
        return r.headers().firstValue(name).orElse("");
    }
}
