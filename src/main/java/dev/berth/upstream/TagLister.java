package dev.berth.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.RepoName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/** GET of a repository's tag list, following {@code Link: <...>; rel="next"} pages on the same registry. */
final class TagLister {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    /** A bound on pages so a registry that links in circles cannot keep us here. */
    private static final int MAX_PAGES = 100;

    private record Page(List<String> tags, HttpUrl next) {
    }

    private final EndpointCaller caller;
    private final V2Requests requests;

    TagLister(EndpointCaller caller, V2Requests requests) {
        this.caller = caller;
        this.requests = requests;
    }

    /** All tags, or empty when the upstream does not know the repository. */
    Optional<List<String>> list(RepoName repository) {
        List<String> tags = new ArrayList<>();
        Request request = requests.tags(repository).build();
        for (int page = 0; page < MAX_PAGES; page++) {
            Optional<Page> read = caller.call(request, this::read);
            if (read.isEmpty()) {
                return page == 0 ? Optional.empty() : Optional.of(List.copyOf(tags));
            }
            tags.addAll(read.get().tags());
            HttpUrl next = read.get().next();
            if (next == null || !requests.isRegistry(next)) {
                return Optional.of(List.copyOf(tags));
            }
            request = requests.get(repository, next).build();
        }
        throw new UpstreamException(200, caller.describe(request) + ": more than " + MAX_PAGES + " pages of tags");
    }

    private Page read(Response response) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(response.body().byteStream());
        } catch (JsonProcessingException e) {
            throw caller.unusable(response, "tag list is not JSON");
        }
        List<String> tags = new ArrayList<>();
        JsonNode array = root == null ? null : root.get("tags");
        if (array != null && array.isArray()) {
            array.forEach(tag -> tags.add(tag.asText()));
        }
        return new Page(tags, next(response));
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
