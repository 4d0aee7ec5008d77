package dev.berth.upstream;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A listing the registry sends in pages linked by {@code Link: <...>; rel="next"} (tags, referrers), followed on the
 * same registry only. The pages together are one document, bounded in size as they arrive and in their number, so a
 * registry that links in circles or without end cannot keep berth here.
 */
final class LinkedPages {
    /**
     * Reads one page's items from a successful response, at most {@code left} bytes of it; or null when the answer is
     * not the listing asked for at all (a registry without the endpoint that answers 200 anyway), taken as a 404.
     */
    @FunctionalInterface
    interface PageReader<T> {
        Page<T> read(Response response, long left) throws IOException;
    }

    /** One page's items and how many bytes it took. */
    record Page<T>(List<T> items, long bytes) {
    }

    static final String LIMIT_KEY = "mirror.upstreams[].max-document-size";
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final int MAX_PAGES = 100;

    private record Linked<T>(Page<T> page, HttpUrl next) {
    }

    private final EndpointCaller caller;
    private final V2Requests requests;
    private final long maxBytes;

    LinkedPages(EndpointCaller caller, V2Requests requests, long maxBytes) {
        this.caller = caller;
        this.requests = requests;
        this.maxBytes = maxBytes;
    }

    /**
     * Every page's items from {@code first} on, or empty when the first answers 404 (or is not the listing); each
     * page's exchange given up after {@code bound} unless that is zero. A later page's 404 ends the listing.
     */
    <T> Optional<List<T>> all(String what, Request first, Duration bound, PageReader<T> reader) {
        List<T> items = new ArrayList<>();
        long read = 0;
        Request request = first;
        for (int page = 0; page < MAX_PAGES; page++) {
            long left = maxBytes - read;
            Optional<Linked<T>> got = caller.call(request, bound,
                    response -> new Linked<>(reader.read(response, left), next(response)));
            if (got.isEmpty() || got.get().page() == null) {
                return page == 0 ? Optional.empty() : Optional.of(List.copyOf(items));
            }
            items.addAll(got.get().page().items());
            read += got.get().page().bytes();
            HttpUrl next = got.get().next();
            if (next == null || !requests.isRegistry(next)) {
                return Optional.of(List.copyOf(items));
            }
            request = first.newBuilder().url(next).build();
        }
        throw new UpstreamException(200, caller.describe(request) + ": more than " + MAX_PAGES + " pages of " + what);
    }

    private static HttpUrl next(Response response) {
        String link = response.header("Link");
        if (link == null) {
            return null;
        }
        Matcher matcher = NEXT.matcher(link);
        return matcher.find() ? response.request().url().resolve(matcher.group(1)) : null;
    }
}
