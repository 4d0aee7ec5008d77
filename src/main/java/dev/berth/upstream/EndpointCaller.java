package dev.berth.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
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

    /** A successful response still open, and its call, which can cut the connection instead of draining the rest. */
    record Opened(Call call, Response response) {
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
        return call(request, Duration.ZERO, reader);
    }

    /**
     * As {@link #call(Request, Reader)}, the whole exchange (token flow and body included) given up after
     * {@code bound} unless that is zero.
     */
    <T> Optional<T> call(Request request, Duration bound, Reader<T> reader) {
        Optional<Opened> opened = open(request, bound);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        try (Response response = opened.get().response()) {
            return Optional.of(reader.read(response));
        } catch (IOException e) {
            throw ioFailure(request, bound, e);
        }
    }

    /** Runs {@code request} and hands over a successful response still open, for streaming; the caller closes it. */
    Optional<Opened> open(Request request) {
        return open(request, Duration.ZERO);
    }

    private Optional<Opened> open(Request request, Duration bound) {
        Call call = newCall(request, bound);
        Response response;
        try {
            response = call.execute();
        } catch (IOException e) {
            UpstreamException failure = ioFailure(request, bound, e);
            // The token flow's failures come this way too; a token refused to anonymous berth means absence, no error.
            events.upstreamAnswered(registry, failure.authenticationFailed() ? 0 : failure.status());
            throw failure;
        }
        events.upstreamAnswered(registry, response.code());
        rateLimit.record(response.headers());
        if (response.isSuccessful()) {
            return Optional.of(new Opened(call, response));
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

    /**
     * A call whose whole exchange ends after {@code bound} (unless zero); the request carries the deadline, so that
     * the token flow, a call of its own inside this one, keeps to it too.
     */
    private Call newCall(Request request, Duration bound) {
        if (bound.isZero()) {
            return client.newCall(request);
        }
        Call call = client.newCall(request.newBuilder().tag(Deadline.class, Deadline.after(bound)).build());
        call.timeout().timeout(bound.toNanos(), TimeUnit.NANOSECONDS);
        return call;
    }

    private UpstreamException ioFailure(Request request, Duration bound, IOException e) {
        // The token flow runs inside OkHttp, which only lets IOExceptions through: its failures arrive as causes.
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UpstreamException upstream) {
                return upstream;
            }
        }
        if (e instanceof BoundedDocument.TooLarge) {
            return UpstreamException.ofOversized(describe(request) + ": " + e.getMessage());
        }
        if (!bound.isZero() && e instanceof InterruptedIOException) {
            return new UpstreamException(0, describe(request) + " gave no answer within " + bound.toMillis()
                    + " ms (mirror.upstreams[].revalidate-timeout)", null, e);
        }
        // OkHttp's I/O messages name hosts and ports, never headers, so they are safe to pass on.
        return new UpstreamException(0, describe(request) + " failed: " + e, null, e);
    }

    /** Method, registry and path, but no query: enough to find the request, nothing secret. */
    String describe(Request request) {
        return "upstream " + registry + ": " + request.method() + " " + request.url().encodedPath();
    }
}
