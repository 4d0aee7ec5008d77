import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The upstream docker-registry's access log, read to count what the mirrors asked of it. Each measurement uses
 * repositories of its own, so counts are taken per repository over the whole log.
 *
 * <p>distribution writes a line when a request's handler returns, so a reading first sends a marker request and waits
 * for its line: every request answered before it is then in the log too, with no sleep to guess how long logging
 * takes. Requests still running are not, and distribution's proxy fetches a blob a second time in the background to
 * store it, after its client has the blob: {@link #settled} waits for those.
 */
final class AccessLog {
    // The request part of a combined-log-format line: "GET /v2/... HTTP/1.1" 200
    private static final Pattern LINE = Pattern.compile("\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) ");
    private static final String MARKER = "/v2/?bench-marker=";
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    /** One logged request. */
    record Request(String method, String path, int status) {
    }

    private final Path file;
    private final URI upstream;
    private final List<Request> logged = new ArrayList<>();
    private int markers;
    private long position;

    AccessLog(Path file, URI upstream) {
        this.file = file;
        this.upstream = upstream;
    }

    /** Every request answered so far, marker requests left out, oldest first. */
    synchronized List<Request> requests() throws IOException, InterruptedException {
        String marker = MARKER + ++markers;
        try (Http1 http = new Http1(upstream)) {
            int status = http.send("GET", marker, null, Http1.Sink.DISCARD).status();
            if (status != 200) {
                throw new IllegalStateException("the upstream answered " + status + " to " + marker);
            }
        }
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!readUpTo(marker)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the upstream did not log " + marker + " in " + file + " within 10 s");
            }
            Thread.sleep(20);
        }
        return List.copyOf(logged);
    }

    /** {@link #requests()} once no request has been added for {@code quiet}: background fetches are in by then. */
    List<Request> settled(Duration quiet) throws IOException, InterruptedException {
        int before;
        do {
            before = requests().size();
            Thread.sleep(quiet.toMillis());
        } while (requests().size() > before);
        return List.copyOf(logged);
    }

    /** Adds the complete lines after {@code position} up to {@code marker}'s; false if its line is not there yet. */
    private boolean readUpTo(String marker) throws IOException {
        byte[] tail;
        try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
            log.seek(position);
            tail = new byte[(int) (log.length() - position)];
            log.readFully(tail);
        }
        List<Request> added = new ArrayList<>();
        int start = 0;
        for (int end; (end = indexOf(tail, (byte) '\n', start)) >= 0; start = end + 1) {
            Matcher m = LINE.matcher(new String(tail, start, end - start, StandardCharsets.UTF_8));
            if (!m.find()) {
                continue;
            }
            if (m.group(2).equals(marker)) {
                logged.addAll(added);
                position += end + 1;
                return true;
            }
            if (!m.group(2).startsWith(MARKER)) {
                added.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
            }
        }
        return false;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** How many of {@code requests} are {@code method}s of paths under {@code /v2/<repository>/<kind>/}. */
    static long count(List<Request> requests, String method, String repository, String kind) {
        String prefix = "/v2/" + repository + "/" + kind + "/";
        return requests.stream().filter(r -> r.method().equals(method) && r.path().startsWith(prefix)).count();
    }
}
