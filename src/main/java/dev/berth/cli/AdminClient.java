package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A client of a running berth's admin API ({@code /api/v1}): JSON in and out, with Basic credentials when given.
 * Failures are {@link Failure}s whose message says what went wrong in words for the command line.
 */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI server;
    private final Optional<String> user;
    private final Optional<String> authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A client of the berth at {@code server}; {@code authorization} is a whole {@code Authorization} value. */
    AdminClient(URI server, Optional<String> user, Optional<String> authorization) {
        this.server = server;
        this.user = user;
        this.authorization = authorization;
    }

    /** What went wrong, said for the command line; {@code refused}: the server would not let the caller in. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code POST path} with {@code body}; the answer's JSON when it is {@code expected}. */
    JsonNode post(String path, Object body, int expected) throws Failure {
        try {
            return call(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))), expected);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code GET path}; the answer's JSON when it is 200. */
    JsonNode get(String path) throws Failure {
        return call(HttpRequest.newBuilder(uri(path)).GET(), 200);
    }

    /** {@code DELETE path}; fails unless the answer is 204. */
    void delete(String path) throws Failure {
        call(HttpRequest.newBuilder(uri(path)).DELETE(), 204);
    }

    private URI uri(String path) {
        String base = server.toString().replaceAll("/+$", "");
        return URI.create(base + path);
    }

    private JsonNode call(HttpRequest.Builder request, int expected) throws Failure {
        authorization.ifPresent(value -> request.header("Authorization", value));
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Failure("cannot reach berth at " + server + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() == expected && (body != null || expected == 204)) {
            return body;
        }
        String message = body == null ? "" : body.path("error").path("message").asText("");
        throw new Failure(switch (response.statusCode()) {
            case 401 -> user.map(u -> server + " refused the credentials of " + u + (message.isEmpty() ? ""
                    : ": " + message)).orElse(server + " needs a login for this: give --user (the password comes"
                    + " from BERTH_PASSWORD or is asked for)");
            case 403 -> server + " refused: " + message;
            default -> message.isEmpty()
                    ? server + " answered " + response.statusCode() + " without the admin API's JSON: is it berth?"
                    : message;
        });
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(IOException e) {
        String why = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "connection timed out";
        }
        return why == null || why.isEmpty() ? e.getClass().getSimpleName() : why;
    }
}
