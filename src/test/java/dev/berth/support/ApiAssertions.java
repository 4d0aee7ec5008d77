package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Checks of the admin API's answers: its one error shape, never the OCI envelope. */
public final class ApiAssertions {
    private ApiAssertions() {
    }

    /** Asserts {@code {"error": {"code": code, "message": ...}}} with {@code status}; returns the message. */
    public static String assertApiError(HttpResponse<byte[]> r, int status, String code) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(status, r.statusCode(), body);
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), body);
        JsonNode json = RegistryAssertions.json(r);
        assertFalse(json.has("errors"), "no OCI envelope: " + body);
        assertEquals(code, json.path("error").path("code").asText(), body);
        String message = json.path("error").path("message").asText();
        assertFalse(message.isBlank(), "a message: " + body);
        return message;
    }
}
