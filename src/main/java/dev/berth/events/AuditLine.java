package dev.berth.events;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** An event as a line of the audit trail: who did what to which repository, from where, and with which result. */
final class AuditLine {
    /** The actor of acts no one logged in for. */
    static final String ANONYMOUS = "anonymous";

    private AuditLine() {
    }

    /** The fields of {@code event}'s line, in the order they are written; absent ones are left out. */
    static Map<String, Object> fields(Event event) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", DateTimeFormatter.ISO_INSTANT.format(event.time()));
        line.put("action", event.act().text());
        line.put("actor", event.actor().orElse(ANONYMOUS));
        Origin origin = event.origin();
        if (!origin.address().isEmpty()) {
            line.put("client", origin.address());
        }
        Target target = event.target();
        if (!target.repository().isEmpty()) {
            line.put("repository", target.repository());
        }
        target.tag().ifPresent(tag -> line.put("tag", tag));
        target.digest().ifPresent(digest -> line.put("digest", digest));
        target.from().ifPresent(from -> line.put("from", from));
        target.blobs().ifPresent(blobs -> line.put("blobs", blobs));
        target.size().ifPresent(size -> line.put("bytes", size));
        line.put("result", event.result());
        if (!origin.requestId().isEmpty()) {
            line.put("request", origin.requestId());
            line.put("agent", origin.userAgent());
        }
        return line;
    }
}
