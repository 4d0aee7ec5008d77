package dev.berth.http.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;

/** Reads request bodies and writes answers of the admin API as JSON, with one shared mapper. */
public final class ApiJson {
    /** The largest request body the API reads: its requests are small documents. */
    static final int MAX_BODY = 64 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private ApiJson() {
    }

    /** Sends {@code body} as application/json with {@code status}. */
    public static void send(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(bytes(body));
    }

    /** Sends {@code body} as application/json with 200. */
    public static void send(ServerResponse res, Object body) {
        send(res, Status.OK_200, body);
    }

    /** Serializes {@code body}. */
    static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The request's JSON body as {@code type}; 400 when it is missing, too large or does not fit. */
    static <T> T read(ServerRequest req, Class<T> type) {
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > MAX_BODY) {
            throw tooLarge();
        }
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            throw new ApiException(ApiError.BAD_REQUEST, "the request body could not be read");
        }
        if (body.length > MAX_BODY) {
            throw tooLarge();
        }
        if (body.length == 0) {
            throw new ApiException(ApiError.BAD_REQUEST, "a JSON body is required");
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw new ApiException(ApiError.BAD_REQUEST, "a JSON object is required");
            }
            return value;
        } catch (IOException e) {
            // Jackson's first line names the field or token; the rest locates it in a source we do not echo.
            String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new ApiException(ApiError.BAD_REQUEST, "the body is not the JSON expected: " + shorten(why));
        }
    }

    private static String shorten(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static ApiException tooLarge() {
        return new ApiException(ApiError.BAD_REQUEST, "the request body is larger than " + MAX_BODY + " bytes");
    }
}
