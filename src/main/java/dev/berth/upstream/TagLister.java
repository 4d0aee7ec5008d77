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
import okhttp3.Response;

/**
 * GET of a repository's tag list, all its {@link LinkedPages}; each page is parsed as a stream, never held whole.
 */
final class TagLister {
    private static final JsonFactory JSON = new JsonFactory();

    private final EndpointCaller caller;
    private final V2Requests requests;
    private final LinkedPages pages;

    TagLister(EndpointCaller caller, V2Requests requests, LinkedPages pages) {
        this.caller = caller;
        this.requests = requests;
        this.pages = pages;
    }

    /**
     * All tags, or empty when the upstream does not know the repository; each page's exchange given up after
     * {@code bound} unless that is zero.
     */
    Optional<List<String>> list(RepoName repository, Duration bound) {
        return pages.all("tags", requests.tags(repository).build(), bound, this::read);
    }

    private LinkedPages.Page<String> read(Response response, long left) throws IOException {
        List<String> tags = new ArrayList<>();
        try (BoundedDocument body = BoundedDocument.of(response, "tag list", left, LinkedPages.LIMIT_KEY);
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
            return new LinkedPages.Page<>(tags, body.count());
        } catch (JsonProcessingException e) {
            throw caller.unusable(response, "tag list is not JSON");
        }
    }
}
