package dev.berth.upstream;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Runs one request against the upstream and turns the outcome into berth's terms: a 2xx response, empty for 404, or
 * an {@link UpstreamException}. Every response's status and rate-limit headers are recorded on the way.
 */
final class EndpointCaller {
    /** Reads a successful response; the caller closes it afterwards. */
    @FunctionalInterface
    interface Reader<T> {
        T read(Response response) throws IOException;
    }

    private final OkHttpClient client;
    private final String registry;
    private final RateLimit rateLimit;
    private final Clock clock;
    private final UpstreamEvents events;

    EndpointCaller(OkHttpClient client, String registry, RateLimit rateLimit, Clock clock, UpstreamEvents events) {
        this.client = client;
        this.registry = registry;
        this.rateLimit = rateLimit;
        this.clock = clock;
        this.events = events;
    }

    /** Runs {@code request} and reads its body with {@code reader}, closing the response in every case. */
    <T> Optional<T> call(Request request, Reader<T> reader) {
        Optional<Response> opened = open(request);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        try (Response response = opened.get()) {
            return Optional.of(reader.read(response));
        } catch (IOException e) {
            throw ioFailure(request, e);
        }
    }

    /** Runs {@code request} and hands over a successful response still open, for streaming; the caller closes it. */
    Optional<Response> open(Request request) {
        Response response;
        try {
            response = client.newCall(request).execute();
        } catch (IOException e) {
            UpstreamException failure = ioFailure(request, e);
            // The token flow's failures come this way too; a token refused to anonymous berth means absence, no error.
            events.upstreamAnswered(registry, failure.authenticationFailed() ? 0 : failure.status());
            throw failure;
        }
        events.upstreamAnswered(registry, response.code());
        rateLimit.record(response.headers());
        if (response.isSuccessful()) {
            return Optional.of(response);
        }
        try (response) {
            if (response.code() == 404) {
                return Optional.empty();
            }
            String sent = response.request().header("Authorization");
            if (response.code() == 401 && sent != null && sent.startsWith("Basic ")) {
                // Unlike Docker Hub's token flow, a Basic registry says 404 for what it lacks: this 401 is about berth.
                events.credentialsRefused(registry);
                throw UpstreamException.ofAuthentication(401, describe(request)
                        + " refused berth's credentials; check the upstream's username and password",
                        RetryAfter.parse(response.header("Retry-After"), clock.instant()));
            }
            throw new UpstreamException(response.code(), describe(request) + " answered " + response.code(),
                    RetryAfter.parse(response.header("Retry-After"), clock.instant()), null);
        }
    }

    /** An upstream answer that arrived but cannot be used, e.g. bytes that do not match their digest. */
    UpstreamException unusable(Response response, String problem) {
        return new UpstreamException(response.code(), describe(response.request()) + ": " + problem);
    }

    private UpstreamException ioFailure(Request request, IOException e) {
        // The token flow runs inside OkHttp, which only lets IOExceptions through: its failures arrive as causes.
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UpstreamException upstream) {
                return upstream;
            }
        }
        // OkHttp's I/O messages name hosts and ports, never headers, so they are safe to pass on.
        return new UpstreamException(0, describe(request) + " failed: " + e, null, e);
    }

    /** Method, registry and path, but no query: enough to find the request, nothing secret. */
    String describe(Request request) {
        return "upstream " + registry + ": " + request.method() + " " + request.url().encodedPath();
    }
}
