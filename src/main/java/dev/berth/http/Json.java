package dev.berth.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** Writes JSON response bodies with one shared mapper. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Serializes {@code body}. */
    static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code body} as {@code contentType} with {@code status}. */
    static void send(ServerResponse res, Status status, String contentType, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.send(bytes(body));
    }

    /** Sends {@code body} as application/json with 200. */
    static void send(ServerResponse res, Object body) {
        send(res, Status.OK_200, "application/json", body);
    }
}
