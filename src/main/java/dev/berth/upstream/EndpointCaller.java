package dev.berth.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
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

    private static final String REVALIDATE_TIMEOUT_KEY = "mirror.upstreams[].revalidate-timeout";
    private static final String DOCUMENT_TIMEOUT_KEYS =
            "mirror.upstreams[].connect-timeout + read-timeout";

    /** How long an exchange may take, and the configuration keys that say so. */
    private record Bound(Duration time, String keys) {
    }

    private final OkHttpClient client;
    private final String registry;
    private final RateLimit rateLimit;
    private final Clock clock;
    private final UpstreamEvents events;
    private final Duration documentTimeout;

    /**
     * {@code documentTimeout} bounds the whole exchange of a document (a manifest, a HEAD, a page of tags, a token
     * answer) asked for without a shorter bound: the read timeout alone bounds each read, and an upstream sending a
     * byte now and then would hold the request, and the client behind it, for as long as it likes.
     */
    EndpointCaller(OkHttpClient client, String registry, RateLimit rateLimit, Clock clock, UpstreamEvents events,
                   Duration documentTimeout) {
        this.client = client;
        this.registry = registry;
        this.rateLimit = rateLimit;
        this.clock = clock;
        this.events = events;
        this.documentTimeout = documentTimeout;
    }

    /**
     * Runs {@code request} and reads its body with {@code reader}, closing the response in every case; the whole
     * exchange (token flow and body included) given up after the document timeout.
     */
    <T> Optional<T> call(Request request, Reader<T> reader) {
        return call(request, Duration.ZERO, reader);
    }

    /**
     * As {@link #call(Request, Reader)}, the whole exchange given up after {@code bound}, or the document timeout
     * when that is zero.
     */
    <T> Optional<T> call(Request request, Duration bound, Reader<T> reader) {
        Bound whole = bound.isZero() ? new Bound(documentTimeout, DOCUMENT_TIMEOUT_KEYS)
                : new Bound(bound, REVALIDATE_TIMEOUT_KEY);
        Optional<Opened> opened = open(request, whole, true);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        try (Response response = opened.get().response()) {
            return Optional.of(reader.read(response));
        } catch (IOException e) {
            throw ioFailure(request, whole, e);
        }
    }

    /**
     * Runs {@code request} and hands over a successful response still open, for streaming; the caller closes it.
     * The body is not bounded in time as a whole (a blob may be large), but the token flow before it is.
     */
    Optional<Opened> open(Request request) {
        return open(request, new Bound(documentTimeout, DOCUMENT_TIMEOUT_KEYS), false);
    }

    private Optional<Opened> open(Request request, Bound bound, boolean whole) {
        Call call = newCall(request, bound.time(), whole);
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
     * A call whose request carries a deadline {@code bound} from now, so that the token flow, a call of its own inside
     * this one, keeps to it; with {@code whole}, the call's whole exchange ends then too.
     */
    private Call newCall(Request request, Duration bound, boolean whole) {
        Call call = client.newCall(request.newBuilder().tag(Deadline.class, Deadline.after(bound)).build());
        if (whole) {
            call.timeout().timeout(bound.toNanos(), TimeUnit.NANOSECONDS);
        }
        return call;
    }

    private UpstreamException ioFailure(Request request, Bound bound, IOException e) {
        // The token flow runs inside OkHttp, which only lets IOExceptions through: its failures arrive as causes.
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UpstreamException upstream) {
                return upstream;
            }
        }
        if (e instanceof BoundedDocument.TooLarge) {
            return UpstreamException.ofOversized(describe(request) + ": " + e.getMessage());
        }
        if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            // The deadline's; a connect or a read timing out is a SocketTimeoutException, told as it is below.
            return new UpstreamException(0, describe(request) + " gave no answer within " + bound.time().toMillis()
                    + " ms (" + bound.keys() + ")", null, e);
        }
        // OkHttp's I/O messages name hosts and ports, never headers, so they are safe to pass on.
        return new UpstreamException(0, describe(request) + " failed: " + e, null, e);
    }

    /** Method, registry and path, but no query: enough to find the request, nothing secret. */
    String describe(Request request) {
        return "upstream " + registry + ": " + request.method() + " " + request.url().encodedPath();
    }
}
