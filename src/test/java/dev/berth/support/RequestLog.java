package dev.berth.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The requests a registry's access log records (docker-registry's combined format and berth's own line both hold
 * {@code "GET /v2/... HTTP/1.1" 200}), read up to a marker request so none answered before the call is missing.
 */
public final class RequestLog {
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final Pattern ACCESS_LINE = Pattern.compile("\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) ");
    // requests() sends these to find the end of the log; they are left out of what it returns.
    private static final String MARKER = "/v2/?requests-marker=";

    private final AtomicInteger markers = new AtomicInteger();
    private final String url;
    private final Supplier<String> log;
    private final Consumer<String> get;

    /** The log {@code log} reads of the server at {@code url} ({@code http://host:port}). */
    public RequestLog(String url, Supplier<String> log) {
        this(url, log, RequestLog::send);
    }

    /**
     * As {@link #RequestLog(String, Supplier)}, with {@code get} sending a GET to a URL, whatever its answer: for a
     * server that this JVM cannot reach (in a network namespace).
     */
    public RequestLog(String url, Supplier<String> log, Consumer<String> get) {
        this.url = url;
        this.log = log;
        this.get = get;
    }

    /** One request as an access log records it: method, path with query, and response status. */
    public record Request(String method, String path, int status) {
    }

    /**
     * The requests the server has answered, oldest first. A request's line is logged once it is answered, so this
     * first sends a marker request (whatever its status) and polls for the marker's line: by then the requests
     * answered before this call are in the log too, with no sleep to guess how long logging takes.
     */
    public List<Request> requests() {
        String marker = MARKER + markers.incrementAndGet();
        get.accept(url + marker);
        List<Request> logged = new ArrayList<>();
        try {
            Poll.until(() -> loggedBefore(marker, logged), "the line of " + marker + " in the access log of " + url,
                    DEADLINE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the log of " + url, e);
        }
        return logged;
    }

    private static void send(String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
        try {
            HTTP.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + url, e);
        }
    }

    /** Fills {@code logged} with the requests before {@code marker}'s line; false while that line is not there. */
    private boolean loggedBefore(String marker, List<Request> logged) {
        logged.clear();
        for (String line : log.get().split("\n")) {
            Matcher m = ACCESS_LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            if (m.group(2).equals(marker)) {
                return true;
            }
            if (!m.group(2).startsWith(MARKER)) {
                logged.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
            }
        }
        return false;
    }
}
