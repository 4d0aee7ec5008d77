package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;

/** Assertions on registry responses: status plus the spec's error envelope. */
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

    /** A response header, or "" when absent. */
    public static String header(HttpResponse<byte[]> r, String name) {
        return r.headers().firstValue(name).orElse("");
    }
}
