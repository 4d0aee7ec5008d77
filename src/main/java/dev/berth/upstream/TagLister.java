package dev.berth.upstream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.berth.oci.RepoName;
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
 * GET of a repository's tag list, following {@code Link: <...>; rel="next"} pages on the same registry. The pages
 * together are one document, bounded in size as they arrive; each is parsed as a stream, never held whole.
 */
final class TagLister {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    /** A bound on pages so a registry that links in circles cannot keep us here. */
    private static final int MAX_PAGES = 100;
    private static final String LIMIT_KEY = "mirror.upstreams[].max-document-size";

    private record Page(List<String> tags, HttpUrl next, long bytes) {
    }

    private final EndpointCaller caller;
    private final V2Requests requests;
    private final long maxBytes;

    TagLister(EndpointCaller caller, V2Requests requests, long maxBytes) {
        this.caller = caller;
        this.requests = requests;
        this.maxBytes = maxBytes;
    }

    /**
     * All tags, or empty when the upstream does not know the repository; each page's exchange given up after
     * {@code bound} unless that is zero.
     */
    Optional<List<String>> list(RepoName repository, Duration bound) {
        List<String> tags = new ArrayList<>();
        long read = 0;
        Request request = requests.tags(repository).build();
        for (int page = 0; page < MAX_PAGES; page++) {
            long left = maxBytes - read;
            Optional<Page> got = caller.call(request, bound, response -> read(response, left));
            if (got.isEmpty()) {
                return page == 0 ? Optional.empty() : Optional.of(List.copyOf(tags));
            }
            tags.addAll(got.get().tags());
            read += got.get().bytes();
            HttpUrl next = got.get().next();
            if (next == null || !requests.isRegistry(next)) {
                return Optional.of(List.copyOf(tags));
            }
            request = requests.get(repository, next).build();
        }
        throw new UpstreamException(200, caller.describe(request) + ": more than " + MAX_PAGES + " pages of tags");
    }

    private Page read(Response response, long left) throws IOException {
        List<String> tags = new ArrayList<>();
        try (BoundedDocument body = BoundedDocument.of(response, "tag list", left, LIMIT_KEY);
             JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw caller.unusable(response, "tag list is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean isTags = "tags".equals(parser.currentName());
                JsonToken value = parser.nextToken();
                if (isTags && value == JsonToken.START_ARRAY) {
                    JsonToken t;
                    while ((t = parser.nextToken()) != null && t != JsonToken.END_ARRAY) {
                        if (t == JsonToken.VALUE_STRING) {
                            tags.add(parser.getText());
                        } else {
                            parser.skipChildren();
                        }
                    }
                } else {
                    parser.skipChildren();
                }
            }
            return new Page(tags, next(response), body.count());
        } catch (JsonProcessingException e) {
            throw caller.unusable(response, "tag list is not JSON");
        }
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
