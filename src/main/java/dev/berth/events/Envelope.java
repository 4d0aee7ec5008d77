package dev.berth.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * distribution's notification envelope ({@value #MEDIA_TYPE}), so that receivers written for {@code registry:2} read
 * berth's unchanged: each event as one JSON object, a batch as {@code {"events":[...]}}.
 */
public final class Envelope {
    /** The {@code Content-Type} of a batch. */
    public static final String MEDIA_TYPE = "application/vnd.docker.distribution.events.v1+json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] START = "{\"events\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] END = "]}".getBytes(StandardCharsets.UTF_8);

    private Envelope() {
    }

    /** {@code event} as one member of {@code events}, from the instance {@code source}. */
    public static byte[] event(Event event, Source source) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("id", event.id());
        json.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(event.time()));
        json.put("action", event.act().text());
        Target t = event.target();
        ObjectNode target = json.putObject("target");
        t.mediaType().ifPresent(type -> target.put("mediaType", type));
        t.size().ifPresent(size -> {
            target.put("size", size);
            target.put("length", size);
        });
        t.digest().ifPresent(digest -> target.put("digest", digest));
        target.put("repository", t.repository());
        url(event).ifPresent(url -> target.put("url", url));
        t.tag().ifPresent(tag -> target.put("tag", tag));
        t.from().ifPresent(from -> target.put("fromRepository", from));
        Origin o = event.origin();
        ObjectNode request = json.putObject("request");
        request.put("id", o.requestId());
        request.put("addr", o.address());
        request.put("host", o.host());
        request.put("method", o.method());
        request.put("useragent", o.userAgent());
        json.putObject("actor").put("name", event.actor().orElse(""));
        json.putObject("source").put("addr", source.addr()).put("instanceID", source.instanceId());
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code events}, each as {@link #event} wrote it, in one envelope. */
    public static byte[] batch(List<byte[]> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(START);
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(events.get(i));
        }
        out.writeBytes(END);
        return out.toByteArray();
    }

    /** Where the manifest can be fetched, as distribution gives it: by digest, at the host the client asked. */
    private static Optional<String> url(Event event) {
        Target t = event.target();
        if (t.digest().isEmpty() || t.mediaType().isEmpty()) {
            return Optional.empty();
        }
        return event.origin().baseUrl().map(base -> base + "/v2/" + t.repository() + "/manifests/" + t.digest().get());
    }

    /** The instance that saw the events: its address and an id of this run. */
    public record Source(String addr, String instanceId) {
    }
}
