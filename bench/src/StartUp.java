import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The start-up measurement: a berth of its own started by ./berth again and again, with its ahead-of-time cache
 * (target/berth.aot) and without it ({@code BERTH_AOT=off}), alternating; each time the seconds from the start of the
 * process to the first answered {@code GET /v2/}, then cold blobs from the upstream one after another, the first
 * after the start against the later ones. Every start has a new data directory, so the same blobs are cold again.
 */
final class StartUp {
    private static final long MiB = 1024 * 1024;
    /** The first blob after the start and the later ones it is compared with. */
    private static final int BLOBS = 4;
    private static final Duration START_DEADLINE = Duration.ofMinutes(2);
    private static final String REPOSITORY = "startup/blobs";

    private final Bench.Plan plan;
    private final Path launcher;
    private final Bench.Target upstream;
    private final Path scratch;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    StartUp(Bench.Plan plan, Path launcher, Bench.Target upstream, Path scratch) {
        this.plan = plan;
        this.launcher = launcher;
        this.upstream = upstream;
        this.scratch = scratch;
    }

    /** What the measurement adds to the report: table rows and lines under it. */
    record Report(List<Row> rows, List<String> details) {
    }

    /** One start: seconds to the first answered /v2/, and each cold blob's seconds in order. */
    private record Start(double ready, double[] blobs) {
        double first() {
            return blobs[0];
        }

        double later() {
            return Bench.median(Arrays.copyOfRange(blobs, 1, blobs.length));
        }
    }

    Report run() throws Exception {
        List<Content.Blob> blobs = new ArrayList<>();
        for (int i = 0; i < BLOBS; i++) {
            blobs.add(Content.Blob.generated(900 + i, plan.coldBlob()));
        }
        Bench.progress("   pushing " + BLOBS + " blobs of " + plan.coldBlob() / MiB + " MiB to the upstream");
        new Seeder(upstream.base()).pushBlobs(REPOSITORY, blobs);
        // Read once, so that the upstream serves each from its page cache, the first as the later ones.
        for (Content.Blob blob : blobs) {
            Bench.verifiedGet(upstream, blobPath(blob), blob);
        }
        boolean cache = Files.isRegularFile(launcher.resolveSibling("target/berth.aot"));
        List<Start> with = new ArrayList<>();
        List<Start> without = new ArrayList<>();
        for (int round = 0; round < plan.reps(); round++) {
            // Alternating which goes first, so that neither always follows the other.
            for (boolean aot : round % 2 == 0 ? List.of(true, false) : List.of(false, true)) {
                if (aot && !cache) {
                    continue;
                }
                Start start = start(aot, blobs, with.size() + without.size());
                (aot ? with : without).add(start);
                Bench.progress(String.format("   %s: /v2/ after %.2f s, cold blobs %s s", aot ? "with the cache"
                        : "without", start.ready(), Arrays.toString(Arrays.stream(start.blobs())
                        .mapToObj(s -> String.format("%.2f", s)).toArray())));
            }
        }
        List<Row> rows = new ArrayList<>();
        List<String> details = new ArrayList<>();
        String blob = plan.coldBlob() / MiB + " MiB";
        if (cache) {
            rows.add(Row.lowerBetter("start to the first answered /v2/ (s): with the ahead-of-time cache vs without",
                    median(with, Start::ready), median(without, Start::ready), "%.2f"));
            rows.add(Row.timeAtMost("first cold blob after a start, " + blob + ", with the cache (s, vs the later"
                    + " ones)", median(with, Start::first), median(with, Start::later), "%.2f", 1.2));
        } else {
            details.add("no target/berth.aot (JDK before 25, or BERTH_AOT=off when it was built): measured without");
        }
        rows.add(Row.info("  the same without the cache (s): the first, the later ones",
                String.format("%.2f", median(without, Start::first)), String.format("%.2f",
                        median(without, Start::later))));
        details.add("starts with the ahead-of-time cache (s to /v2/; cold blobs): " + describe(with));
        details.add("starts without it: " + describe(without));
        return new Report(rows, details);
    }

    /** Starts berth through ./berth, times /v2/ and the cold blobs, stops it (SIGTERM) and deletes its data. */
    private Start start(boolean aot, List<Content.Blob> blobs, int n) throws Exception {
        Path dir = scratch.resolve("startup-" + n);
        Files.createDirectories(dir);
        int port = freePort();
        Path config = dir.resolve("berth.yaml");
        Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: " + port + "\nstorage:\n  root: " + dir.resolve(
                "data") + "\nmirror:\n  upstreams:\n    - registry: docker.io\n      url: " + upstream.base()
                + "\n      default: true\n");
        Bench.writeBack();
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
        if (!aot) {
            builder.environment().put("BERTH_AOT", "off");
        }
        long started = System.nanoTime();
        Process berth = builder.start();
        try {
            Bench.Target target = new Bench.Target("startup", "berth, just started", URI.create("http://127.0.0.1:"
                    + port), berth.pid());
            awaitV2(berth, target.base(), dir.resolve("log"));
            double ready = (System.nanoTime() - started) / 1e9;
            double[] seconds = new double[blobs.size()];
            for (int i = 0; i < blobs.size(); i++) {
                long t = System.nanoTime();
                Bench.verifiedGet(target, blobPath(blobs.get(i)), blobs.get(i));
                seconds[i] = (System.nanoTime() - t) / 1e9;
            }
            return new Start(ready, seconds);
        } finally {
            berth.destroy();
            if (!berth.waitFor(30, TimeUnit.SECONDS)) {
                berth.destroyForcibly().waitFor();
            }
            Skopeo.delete(dir);
        }
    }

    private void awaitV2(Process berth, URI base, Path log) throws Exception {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        HttpRequest ping = HttpRequest.newBuilder(base.resolve("/v2/")).timeout(Duration.ofSeconds(2)).build();
        while (true) {
            try {
                if (http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            if (!berth.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("berth did not answer /v2/; the end of its log: "
                        + String.join("\n", tail(Files.readAllLines(log))));
            }
            Thread.sleep(10);
        }
    }

    private static List<String> tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 20), lines.size());
    }

    private static String blobPath(Content.Blob blob) {
        return "/v2/" + REPOSITORY + "/blobs/" + blob.digest();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static double median(List<Start> starts, ToDoubleFunction<Start> figure) {
        return Bench.median(starts.stream().mapToDouble(figure).toArray());
    }

    private static String describe(List<Start> starts) {
        return String.join("; ", starts.stream().map(s -> String.format("%.2f; %s", s.ready(),
                Arrays.toString(Arrays.stream(s.blobs()).mapToObj(b -> String.format("%.2f", b)).toArray())))
                .toList());
    }
}
