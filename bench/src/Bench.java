import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Measures berth against distribution (Debian's docker-registry), both already running (bench/run starts them):
 * warm reads against a plain distribution, cold pulls against distribution in proxy mode, all with the same content,
 * the same client and in the same run, and prints the results as a Markdown table.
 *
 * <pre>java Bench --berth URL --berth-pid PID --peer URL --peer-pid PID --proxy URL --proxy-pid PID
 *            --upstream URL --upstream-log FILE [--quick] [--only ID,...]</pre>
 * IDs: big-blob, small-blobs, manifest-head, cold-pull, herd, rss.
 */
public final class Bench {
    private static final long MiB = 1024 * 1024;
    private static final Pattern DIGEST = Pattern.compile("\"digest\"\\s*:\\s*\"(sha256:[0-9a-f]{64})\"");

    /**
     * Sizes and durations; {@code --quick} shrinks them to check that everything works, not to measure. Cold pulls
     * are single events rather than timed loops, so they get more repetitions.
     */
    record Plan(int reps, int coldReps, long bigBlob, int bigClients, int smallBlobs, int smallClients,
                int headClients, Duration timed, long[] coldLayers, int pullParallelism, long herdBlob,
                int herdClients) {
        static Plan full() {
            return new Plan(3, 5, 1024 * MiB, 4, 1_000, 16, 64, Duration.ofSeconds(3),
                    new long[] {64 * MiB, 32 * MiB, 24 * MiB, 8 * MiB}, 3, 128 * MiB, 100);
        }

        static Plan quick() {
            return new Plan(1, 1, 64 * MiB, 4, 100, 16, 64, Duration.ofSeconds(1),
                    new long[] {8 * MiB, 4 * MiB}, 3, 16 * MiB, 20);
        }
    }

    /** A registry under test. */
    record Target(String name, URI base, long pid) {
        /** CPU time the process has used so far (user + system), from /proc/PID/stat, in seconds. */
        double cpuSeconds() throws IOException {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // After "(comm)": state is field 3 of stat(5), utime 14 and stime 15, in clock ticks (100 per second).
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        }
    }

    /** One repetition: the figure measured, and the work done in units of CPU time reported (GiB, 1000 requests). */
    record Sample(double value, double work) {
    }

    private final Plan plan;
    private final Target berth;
    private final Target peer;
    private final Target proxy;
    private final Target upstream;
    private final AccessLog upstreamLog;
    private final Set<String> only;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> details = new ArrayList<>();

    private Bench(Plan plan, Set<String> only, Target berth, Target peer, Target proxy, Target upstream,
                  AccessLog upstreamLog) {
        this.plan = plan;
        this.only = only;
        this.berth = berth;
        this.peer = peer;
        this.proxy = proxy;
        this.upstream = upstream;
        this.upstreamLog = upstreamLog;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Plan plan = options.containsKey("quick") ? Plan.quick() : Plan.full();
        Target upstream = target(options, "upstream");
        Set<String> only = options.containsKey("only") ? Set.of(options.get("only").split(",")) : Set.of();
        Bench bench = new Bench(plan, only, target(options, "berth"), target(options, "peer"), target(options, "proxy"),
                upstream, new AccessLog(Path.of(options.get("upstream-log")), upstream.base()));
        bench.run();
    }

    private void run() throws Exception {
        measure("big-blob", "warm blob GET", this::warmBigBlob);
        measure("small-blobs", "warm small blobs GET", this::warmSmallBlobs);
        measure("manifest-head", "manifest HEAD by tag", this::manifestHead);
        measure("cold-pull", "cold pulls", this::coldPulls);
        measure("herd", "many cold clients of one blob", this::herd);
        measure("rss", "peak RSS", this::peakRss);
        Table.print(rows, details);
    }

    /** One measurement, unless --only leaves it out; its failure becomes a row saying so, and the others still run. */
    private void measure(String id, String name, Measurement measurement) {
        if (!only.isEmpty() && !only.contains(id)) {
            return;
        }
        progress("-- " + name);
        try {
            measurement.run();
        } catch (Exception e) {
            progress("   failed: " + e);
            rows.add(Row.failed(name, String.valueOf(e.getMessage())));
        }
    }

    private interface Measurement {
        void run() throws Exception;
    }

    // ---- 1. warm blob GET throughput

    /**
     * The same 1 GiB blob pushed to berth (a private repository) and to the plain distribution: both serve it from
     * their own disk, which is what a warm read is in either, cached or pushed. Read fully by a few clients at once.
     */
    private void warmBigBlob() throws Exception {
        Content.Blob big = Content.Blob.generated(1, plan.bigBlob());
        String path = "/v2/bench/big/blobs/" + big.digest();
        progress("   pushing a " + mib(big.size()) + " MiB blob to berth and distribution");
        for (Target t : List.of(berth, peer)) {
            new Seeder(t.base()).pushBlob("bench/big", big);
            verifiedGet(t, path, big);  // the warm-up: a full read, checked once
        }
        Map<Target, double[]> mibPerSecond = alternate("warm big blob MiB/s", "GiB", t -> {
            double seconds = Load.together(t.base(), plan.bigClients(), (http, c, i) -> get(http, t, path, big.size()));
            double mib = plan.bigClients() * mib(big.size());
            return new Sample(mib / seconds, mib / 1024);
        });
        rows.add(Row.higherBetter("warm blob GET, " + mib(big.size()) + " MiB blob, " + plan.bigClients()
                + " clients (MiB/s, vs plain)", median(mibPerSecond.get(berth)), median(mibPerSecond.get(peer)),
                "%.0f", Optional.of(1.3)));
    }

    /** Many small blobs (4-64 KiB), as layers of small images and configs are, fetched round-robin by many clients. */
    private void warmSmallBlobs() throws Exception {
        SplittableRandom sizes = new SplittableRandom(2);
        List<Content.Blob> blobs = IntStream.range(0, plan.smallBlobs())
                .mapToObj(i -> Content.Blob.generated(10_000 + i, 4 * 1024 + sizes.nextInt(60 * 1024 + 1)))
                .toList();
        progress("   pushing " + blobs.size() + " small blobs to berth and distribution");
        for (Target t : List.of(berth, peer)) {
            new Seeder(t.base()).pushBlobs("bench/small", blobs);
            for (Content.Blob blob : blobs) {
                verifiedGet(t, "/v2/bench/small/blobs/" + blob.digest(), blob);
            }
        }
        Map<Target, double[]> blobsPerSecond = alternate("warm small blobs/s", "1000 blobs", t -> {
            AtomicLong next = new AtomicLong();
            return perThousand(Load.closedLoop(t.base(), plan.smallClients(), plan.timed(), (http, c, i) -> {
                Content.Blob blob = blobs.get((int) (next.getAndIncrement() % blobs.size()));
                get(http, t, "/v2/bench/small/blobs/" + blob.digest(), blob.size());
            }));
        });
        rows.add(Row.higherBetter("warm blob GET, " + blobs.size() + " blobs of 4-64 KiB, " + plan.smallClients()
                + " clients (blobs/s, vs plain)", median(blobsPerSecond.get(berth)), median(blobsPerSecond.get(peer)),
                "%.0f", Optional.of(1.3)));
    }

    // ---- 2. manifest HEAD by tag

    /** What {@code docker pull} asks first: HEAD of a manifest by tag, from many keep-alive clients. */
    private void manifestHead() throws Exception {
        Content.Image app = Content.Image.generated(3, 16 * 1024, 16 * 1024, 16 * 1024);
        for (Target t : List.of(berth, peer)) {
            new Seeder(t.base()).pushImage("bench/app", "v1", app);
            headLoop(t, "bench/app", Duration.ofSeconds(1));  // warm-up
        }
        Map<Target, double[]> perSecond = alternate("manifest HEAD req/s", "1000 requests",
                t -> perThousand(headLoop(t, "bench/app", plan.timed())));
        rows.add(Row.higherBetter("manifest HEAD by tag, " + plan.headClients() + " clients (req/s, vs plain)",
                median(perSecond.get(berth)), median(perSecond.get(peer)), "%.0f", Optional.of(2.0)));
    }

    /** Operations per second, with the work counted in thousands of operations. */
    private static Sample perThousand(Load.Rate rate) {
        return new Sample(rate.perSecond(), rate.ops() / 1000.0);
    }

    private Load.Rate headLoop(Target t, String repository, Duration duration) throws InterruptedException {
        String path = "/v2/" + repository + "/manifests/v1";
        return Load.closedLoop(t.base(), plan.headClients(), duration, (http, c, i) -> {
            Http1.Response r = http.send("HEAD", path, Http1.MANIFEST_ACCEPT, Http1.Sink.DISCARD);
            if (r.status() != 200 || !r.headers().containsKey("docker-content-digest")) {
                throw new IllegalStateException(t.name() + " answered " + r.status() + " to HEAD " + path);
            }
        });
    }

    // ---- 3. and 4. cold pulls, upstream GETs per cold blob

    /**
     * Pulls an image that the mirror has never seen, through berth, through distribution's proxy, and directly from
     * the upstream: each pull has an image of its own (same sizes, other bytes), so every one is cold. A pull is what
     * docker does: the manifest by tag, then the config and layers, {@code pullParallelism} at a time, each checked
     * against its digest. Each target first pulls one more image of its own, untimed: cold content, but warm code
     * (berth's JIT compiler, as the other tests do by their warm-ups).
     */
    private void coldPulls() throws Exception {
        Seeder seeder = new Seeder(upstream.base());
        List<Target> order = List.of(upstream, berth, proxy);
        Map<Target, List<Content.Image>> images = new HashMap<>();
        int warmUp = plan.coldReps();  // the image after the timed ones
        progress("   pushing " + order.size() * (plan.coldReps() + 1) + " images of " + mib(imageSize())
                + " MiB to the upstream");
        for (int rep = 0; rep <= warmUp; rep++) {
            for (int k = 0; k < order.size(); k++) {
                Content.Image image = Content.Image.generated(100 + 10 * k + rep, plan.coldLayers());
                seeder.pushImage(coldRepository(order.get(k), rep), "v1", image);
                images.computeIfAbsent(order.get(k), x -> new ArrayList<>()).add(image);
            }
        }
        for (Target t : order) {
            pull(t, coldRepository(t, warmUp), images.get(t).get(warmUp));
        }
        Map<Target, double[]> seconds = new HashMap<>();
        for (Target t : order) {
            seconds.put(t, new double[plan.coldReps()]);
        }
        for (int rep = 0; rep < plan.coldReps(); rep++) {
            for (int k = 0; k < order.size(); k++) {
                Target t = order.get((k + rep) % order.size());
                seconds.get(t)[rep] = pull(t, coldRepository(t, rep), images.get(t).get(rep));
                progress(String.format("   %s: %.2f s", t.name(), seconds.get(t)[rep]));
            }
        }
        double direct = median(seconds.get(upstream));
        rows.add(Row.lowerBetter("cold pull of a " + mib(imageSize()) + " MiB image, " + (plan.coldLayers().length + 1)
                        + " blobs (s, vs proxy)", median(seconds.get(berth)), median(seconds.get(proxy)), "%.2f"));
        rows.add(Row.info(String.format("  the same, relative to a direct pull from the upstream (%.2f s)", direct),
                String.format("%.2f×", median(seconds.get(berth)) / direct),
                String.format("%.2f×", median(seconds.get(proxy)) / direct)));
        detail("cold pull s per repetition", seconds);

        List<AccessLog.Request> requests = upstreamLog.settled(Duration.ofSeconds(1));
        Map<Target, long[]> upstreamGets = new HashMap<>();
        for (Target t : List.of(berth, proxy)) {
            upstreamGets.put(t, IntStream.range(0, plan.coldReps())
                    .mapToLong(rep -> AccessLog.count(requests, "GET", coldRepository(t, rep), "blobs"))
                    .toArray());
        }
        int blobsPerImage = plan.coldLayers().length + 1;
        long pulledBlobs = (long) blobsPerImage * plan.coldReps();
        rows.add(Row.exactly("upstream GETs per cold blob (vs proxy)",
                (double) Arrays.stream(upstreamGets.get(berth)).sum() / pulledBlobs,
                (double) Arrays.stream(upstreamGets.get(proxy)).sum() / pulledBlobs, "%.2f", 1));
        details.add("upstream blob GETs per cold pull of " + blobsPerImage + " blobs: berth "
                + Arrays.toString(upstreamGets.get(berth)) + ", distribution proxy "
                + Arrays.toString(upstreamGets.get(proxy)));
        mirroredHead();
    }

    /**
     * Manifest HEAD by tag of the images just pulled, through each mirror: berth answers within the tag's TTL from
     * its cache; distribution's proxy asks the upstream about the tag on every request. No target: it shows what a
     * fleet asking a mirror for tags costs, which the plain comparison does not.
     */
    private void mirroredHead() throws Exception {
        Map<Target, double[]> perSecond = new HashMap<>();
        Map<Target, Long> upstreamRequests = new HashMap<>();
        for (Target t : List.of(berth, proxy)) {
            String repository = coldRepository(t, 0);
            headLoop(t, repository, Duration.ofSeconds(1));  // warm-up
            long before = manifestRequests(upstreamLog.requests(), repository);
            double[] reps = new double[plan.reps()];
            for (int rep = 0; rep < plan.reps(); rep++) {
                reps[rep] = headLoop(t, repository, plan.timed()).perSecond();
            }
            perSecond.put(t, reps);
            upstreamRequests.put(t, manifestRequests(upstreamLog.requests(), repository) - before);
        }
        rows.add(Row.higherBetter("manifest HEAD by tag of a mirrored image, " + plan.headClients()
                + " clients (req/s, vs proxy)", median(perSecond.get(berth)), median(perSecond.get(proxy)), "%.0f",
                Optional.empty()));
        detail("mirrored manifest HEAD req/s per repetition", perSecond);
        details.add("upstream manifest requests during the mirrored HEADs: berth " + upstreamRequests.get(berth)
                + ", distribution proxy " + upstreamRequests.get(proxy));
    }

    private static long manifestRequests(List<AccessLog.Request> requests, String repository) {
        return AccessLog.count(requests, "HEAD", repository, "manifests")
                + AccessLog.count(requests, "GET", repository, "manifests");
    }

    private static String coldRepository(Target t, int rep) {
        return "cold/" + t.name().replace(' ', '-') + "-" + rep;
    }

    private static String herdRepository(Target t) {
        return "herd/" + t.name().replace(' ', '-');
    }

    private long imageSize() {
        return Arrays.stream(plan.coldLayers()).sum();
    }

    /** A docker-like pull; the seconds from the manifest request to the last byte of the last blob. */
    private double pull(Target t, String repository, Content.Image image) throws Exception {
        long start = System.nanoTime();
        Http1.BytesSink manifest = new Http1.BytesSink();
        try (Http1 http = new Http1(t.base())) {
            Http1.Response r = http.send("GET", "/v2/" + repository + "/manifests/v1", Http1.MANIFEST_ACCEPT, manifest);
            if (r.status() != 200) {
                throw new IllegalStateException(t.name() + " answered " + r.status() + " to the manifest of "
                        + repository);
            }
        }
        List<String> digests = new ArrayList<>();
        Matcher m = DIGEST.matcher(new String(manifest.bytes(), StandardCharsets.UTF_8));
        while (m.find()) {
            digests.add(m.group(1));
        }
        if (!digests.equals(image.blobs().stream().map(Content.Blob::digest).toList())) {
            throw new IllegalStateException(t.name() + " sent another manifest for " + repository);
        }
        AtomicLong next = new AtomicLong();
        Load.together(t.base(), plan.pullParallelism(), (http, c, i) -> {
            for (int b; (b = (int) next.getAndIncrement()) < image.blobs().size(); ) {
                Content.Blob blob = image.blobs().get(b);
                verifiedGet(http, t, "/v2/" + repository + "/blobs/" + blob.digest(), blob);
            }
        });
        return (System.nanoTime() - start) / 1e9;
    }

    // ---- 5. many cold clients of one blob

    /**
     * A fleet starting at once: {@code herdClients} clients GET the same blob, never seen by the mirror, at the same
     * moment. Counts the upstream's GETs of it and the time until the last client has all of it.
     */
    private void herd() throws Exception {
        Seeder seeder = new Seeder(upstream.base());
        Map<Target, Content.Blob> blobs = Map.of(berth, Content.Blob.generated(500, plan.herdBlob()),
                proxy, Content.Blob.generated(501, plan.herdBlob()));
        Map<Target, Double> seconds = new HashMap<>();
        for (Target t : List.of(berth, proxy)) {
            Content.Blob blob = blobs.get(t);
            seeder.pushBlob(herdRepository(t), blob);
            String path = "/v2/" + herdRepository(t) + "/blobs/" + blob.digest();
            seconds.put(t, Load.together(t.base(), plan.herdClients(), (http, c, i) -> {
                if (c == 0) {
                    verifiedGet(http, t, path, blob);  // one client checks the bytes; all check the length
                } else {
                    get(http, t, path, blob.size());
                }
            }));
            progress(String.format("   %s: %.2f s", t.name(), seconds.get(t)));
        }
        List<AccessLog.Request> requests = upstreamLog.settled(Duration.ofSeconds(1));
        Map<Target, Long> upstreamGets = new HashMap<>();
        for (Target t : List.of(berth, proxy)) {
            upstreamGets.put(t, AccessLog.count(requests, "GET", herdRepository(t), "blobs"));
        }
        String clients = plan.herdClients() + " cold clients of one " + mib(plan.herdBlob()) + " MiB blob";
        rows.add(Row.exactly(clients + ": upstream GETs (vs proxy)", upstreamGets.get(berth), upstreamGets.get(proxy),
                "%.0f", 1));
        rows.add(Row.lowerBetter(clients + ": until the last has it (s, vs proxy)", seconds.get(berth),
                seconds.get(proxy), "%.2f"));
    }

    // ---- 6. memory

    /** The high-water mark of resident memory (VmHWM) over the whole run, berth's against its target. */
    private void peakRss() throws IOException {
        double berthPeak = vmHwmMiB(berth);
        rows.add(Row.atMost("peak RSS, VmHWM (MiB, vs plain / proxy)", berthPeak,
                String.format("%.0f / %.0f", vmHwmMiB(peer), vmHwmMiB(proxy)), "%.0f", 256));
        details.add("berth's memory at the end: " + procStatus(berth, "VmRSS", "RssAnon", "RssFile"));
    }

    private static double vmHwmMiB(Target t) throws IOException {
        return Long.parseLong(procStatus(t, "VmHWM").replaceAll("\\D", "")) / 1024.0;
    }

    /** Fields of /proc/PID/status, as {@code "Name: value kB"} joined with commas. */
    private static String procStatus(Target t, String... fields) throws IOException {
        List<String> wanted = List.of(fields);
        return String.join(", ", Files.readAllLines(Path.of("/proc/" + t.pid() + "/status")).stream()
                .filter(line -> wanted.contains(line.split(":", 2)[0]))
                .map(line -> line.replaceAll("\\s+", " "))
                .toList());
    }

    // ---- helpers

    private interface PerTarget {
        Sample measure(Target t) throws Exception;
    }

    /**
     * Repeats a measurement of berth and the plain distribution, alternating which goes first, and notes each one's
     * CPU time per {@code unit} of work: on a shared machine that varies less than the throughput does.
     */
    private Map<Target, double[]> alternate(String what, String unit, PerTarget measurement) throws Exception {
        Map<Target, double[]> values = Map.of(berth, new double[plan.reps()], peer, new double[plan.reps()]);
        Map<Target, double[]> cpu = Map.of(berth, new double[plan.reps()], peer, new double[plan.reps()]);
        for (int rep = 0; rep < plan.reps(); rep++) {
            for (Target t : rep % 2 == 0 ? List.of(berth, peer) : List.of(peer, berth)) {
                double cpuBefore = t.cpuSeconds();
                Sample sample = measurement.measure(t);
                values.get(t)[rep] = sample.value();
                cpu.get(t)[rep] = (t.cpuSeconds() - cpuBefore) * 1000 / sample.work();
                progress(String.format("   %s: %.1f (server CPU %.0f ms per %s)", t.name(), values.get(t)[rep],
                        cpu.get(t)[rep], unit));
            }
        }
        detail(what + " per repetition", values);
        detail("server CPU ms per " + unit + " in it", cpu);
        return values;
    }

    /** A GET that must answer 200 with {@code size} bytes. */
    private static void get(Http1 http, Target t, String path, long size) throws IOException {
        Http1.Response r;
        try {
            r = http.send("GET", path, null, Http1.Sink.DISCARD);
        } catch (IOException e) {
            throw new IOException(t.name() + ": GET " + path + ": " + e.getMessage(), e);
        }
        if (r.status() != 200 || r.bodyBytes() != size) {
            throw new IllegalStateException(t.name() + " answered " + r.status() + " to GET " + path + " with "
                    + r.bodyBytes() + " bytes, expected 200 with " + size);
        }
    }

    private static void verifiedGet(Target t, String path, Content.Blob blob) throws IOException {
        try (Http1 http = new Http1(t.base())) {
            verifiedGet(http, t, path, blob);
        }
    }

    /** A GET whose body must have the blob's digest. */
    private static void verifiedGet(Http1 http, Target t, String path, Content.Blob blob) throws IOException {
        Http1.DigestSink sink = new Http1.DigestSink();
        Http1.Response r;
        try {
            r = http.send("GET", path, null, sink);
        } catch (IOException e) {
            throw new IOException(t.name() + ": GET " + path + ": " + e.getMessage(), e);
        }
        if (r.status() != 200 || !sink.digest().equals(blob.digest())) {
            throw new IllegalStateException(t.name() + " answered " + r.status() + " to GET " + path
                    + " with bytes of digest " + sink.digest());
        }
    }

    private void detail(String what, Map<Target, double[]> values) {
        StringBuilder line = new StringBuilder(what + ":");
        values.entrySet().stream()
                .sorted(Map.Entry.comparingByKey((a, b) -> a.name().compareTo(b.name())))
                .forEach(e -> line.append(' ').append(e.getKey().name()).append(' ')
                        .append(Arrays.toString(Arrays.stream(e.getValue()).mapToObj(v -> String.format("%.2f", v))
                                .toArray())));
        details.add(line.toString());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double mib(long bytes) {
        return (double) bytes / MiB;
    }

    static void progress(String line) {
        System.err.println(line);
    }

    /** Future.get, with the task's own exception rethrown. */
    static <T> T await(Future<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause().toString(), e.getCause());
        }
    }

    private static Target target(Map<String, String> options, String name) {
        String url = options.get(name);
        if (url == null) {
            throw new IllegalArgumentException("missing --" + name + " URL");
        }
        return new Target(name.equals("peer") || name.equals("proxy") ? "distribution " + name : name, URI.create(url),
                Long.parseLong(options.getOrDefault(name + "-pid", "0")));
    }

    /** {@code --key value} pairs; a flag without a value maps to "". */
    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            options.put(args[i].substring(2), hasValue ? args[++i] : "");
        }
        return options;
    }
}
