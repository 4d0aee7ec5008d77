import java.io.IOException;
import java.net.URI;
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
import java.util.stream.IntStream;

/**
 * Measures berth against distribution (Debian's docker-registry), both already running (bench/run starts them):
 * warm reads against a plain distribution, cold pulls against distribution in proxy mode and against a direct pull
 * from the upstream, berth on an S3 bucket against s3proxy serving that bucket, all with the same content, the same
 * client and in the same run, and prints the results as a Markdown table.
 *
 * <pre>java Bench --berth URL --berth-pid PID --edge URL --edge-pid PID --berth-s3 URL --berth-s3-pid PID
 *            --berth-s3-redirect URL --berth-s3-redirect-pid PID --berth-s3-hot URL --berth-s3-hot-pid PID
 *            --s3proxy URL --s3proxy-pid PID
 *            --fleet-1 URL --fleet-1-pid PID --fleet-2 URL --fleet-2-pid PID --fleet-3 URL --fleet-3-pid PID
 *            --peer URL --peer-pid PID --proxy URL --proxy-pid PID
 *            --upstream URL --upstream-log FILE --scratch DIR --launcher ./berth [--quick] [--only ID,...]</pre>
 * IDs: cold-blob, big-blob, small-blobs, manifest-head, cold-pull, lazy-range, s3, hot-tier, herd, rollout, startup,
 * rss. The edge is a berth whose upstream is berth; the three S3 berths share one bucket of s3proxy, the second
 * answering blob GETs with redirects, the third with a hot tier (storage.s3.local-cache.max-bytes); the
 * fleet's three berths share another bucket of it and fetch each cold blob once for all three.
 */
public final class Bench {
    private static final long MiB = 1024 * 1024;
    /** Untimed far ranges each target serves before the lazy-range row, and the size of their blobs. */
    private static final int RANGE_WARM_UPS = 20;
    private static final long RANGE_WARM_UP_BLOB = 8 * MiB;
    /** The machine's cores, as /proc/stat counts them (its first line sums them all). */
    private static final int CORES = machineCores();

    /**
     * Sizes and durations; {@code --quick} shrinks them to check that everything works, not to measure. Cold pulls
     * are single events rather than timed loops, so they get more repetitions, and a cold range's first byte, a few
     * milliseconds that the machine's other work moves as much, more again.
     */
    record Plan(int reps, int coldReps, int rangeReps, long coldBlob, long bigBlob, int bigClients, int smallBlobs,
                int smallClients, int headClients, Duration timed, long[] coldLayers, long s3Blob, long herdBlob,
                int herdClients, long rolloutProbe, int rolloutLayers, long rolloutLayerBytes, int rolloutClients) {
        static Plan full() {
            return new Plan(3, 5, 9, 256 * MiB, 1024 * MiB, 4, 1_000, 16, 64, Duration.ofSeconds(3),
                    new long[] {64 * MiB, 32 * MiB, 24 * MiB, 8 * MiB}, 256 * MiB, 128 * MiB, 100,
                    128 * MiB, 20, 4 * MiB, 60);
        }

        static Plan quick() {
            return new Plan(1, 1, 1, 16 * MiB, 64 * MiB, 4, 100, 16, 64, Duration.ofSeconds(1),
                    new long[] {8 * MiB, 4 * MiB}, 16 * MiB, 16 * MiB, 20, 16 * MiB, 20, 256 * 1024, 10);
        }
    }

    /** A server of the run; {@code id} names its repositories. */
    record Target(String id, String name, URI base, long pid) {
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
    private final Target edge;
    private final Target berthS3;
    private final Target berthS3Redirect;
    private final Target berthS3Hot;
    private final Target s3proxy;
    /** Three berths on a bucket of their own that know each other as a fleet. */
    private final List<Target> fleet;
    private final Target peer;
    private final Target proxy;
    /** nginx's proxy_cache in front of the upstream, when nginx is installed. */
    private final Optional<Target> nginxCache;
    private final Target upstream;
    private final AccessLog upstreamLog;
    private final Skopeo skopeo;
    private final Path scratch;
    /** ./berth, which the start-up measurement starts berths of its own with. */
    private final Path launcher;
    private final Set<String> only;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> details = new ArrayList<>();
    private final List<String> sections = new ArrayList<>();

    private Bench(Plan plan, Set<String> only, Map<String, String> options) {
        this.plan = plan;
        this.only = only;
        this.berth = target(options, "berth", "berth");
        this.edge = target(options, "edge", "two berths");
        this.berthS3 = target(options, "berth-s3", "berth on S3");
        this.berthS3Redirect = target(options, "berth-s3-redirect", "berth on S3, redirects");
        this.berthS3Hot = target(options, "berth-s3-hot", "berth on S3, hot tier");
        this.s3proxy = target(options, "s3proxy", "s3proxy");
        this.fleet = List.of(target(options, "fleet-1", "berth's fleet, 1"), target(options, "fleet-2",
                "berth's fleet, 2"), target(options, "fleet-3", "berth's fleet, 3"));
        this.peer = target(options, "peer", "distribution peer");
        this.proxy = target(options, "proxy", "distribution proxy");
        this.nginxCache = options.containsKey("nginx-cache")
                ? Optional.of(target(options, "nginx-cache", "nginx proxy_cache")) : Optional.empty();
        this.upstream = target(options, "upstream", "upstream");
        this.upstreamLog = new AccessLog(Path.of(options.get("upstream-log")), upstream.base());
        this.skopeo = new Skopeo(Path.of(options.get("scratch")));
        this.scratch = Path.of(options.get("scratch"));
        this.launcher = Path.of(options.get("launcher"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Plan plan = options.containsKey("quick") ? Plan.quick() : Plan.full();
        Set<String> only = options.containsKey("only") ? Set.of(options.get("only").split(",")) : Set.of();
        new Bench(plan, only, options).run();
    }

    private void run() throws Exception {
        // First: berth's first cold blob since it started is one of its figures.
        measure("cold-blob", "cold blob GET", this::coldBlobs);
        measure("big-blob", "warm blob GET", this::warmBigBlob);
        measure("small-blobs", "warm small blobs GET", this::warmSmallBlobs);
        measure("manifest-head", "manifest HEAD by tag", this::manifestHead);
        measure("cold-pull", "cold pulls", this::coldPulls);
        measure("lazy-range", "the last MiB of a cold blob", this::lazyRange);
        measure("s3", "warm blob GET on S3", this::warmS3Blob);
        measure("hot-tier", "warm blob GET on S3 with a hot tier", this::hotTier);
        measure("herd", "many cold clients of one blob", this::herd);
        measure("rollout", "rollout model and its calibration", this::rollout);
        measure("startup", "start-up and the first cold blob after it", this::startUp);
        measure("rss", "peak RSS", this::peakRss);
        Table.print(rows, details, sections);
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
        pushAndRead(List.of(berth, peer), "bench/big", big);
        Runs mibPerSecond = alternate("warm big blob MiB/s", "GiB", t -> readWhole(t, t.base(), path, big.size()));
        rows.add(Row.higherBetter("warm blob GET, " + mib(big.size()) + " MiB blob, " + plan.bigClients()
                + " clients (MiB/s, vs plain)", median(mibPerSecond.values().get(berth)),
                median(mibPerSecond.values().get(peer)), "%.0f", Optional.of(1.0)));
        rows.add(Row.lowerBetter("  server CPU per GiB sent in it (ms)", median(mibPerSecond.cpu().get(berth)),
                median(mibPerSecond.cpu().get(peer)), "%.0f"));
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
        Runs blobsPerSecond = alternate("warm small blobs/s", "1000 blobs", t -> {
            AtomicLong next = new AtomicLong();
            return perThousand(Load.closedLoop(t.base(), plan.smallClients(), plan.timed(), (http, c, i) -> {
                Content.Blob blob = blobs.get((int) (next.getAndIncrement() % blobs.size()));
                get(http, t, "/v2/bench/small/blobs/" + blob.digest(), blob.size());
            }));
        });
        rows.add(Row.higherBetter("warm blob GET, " + blobs.size() + " blobs of 4-64 KiB, " + plan.smallClients()
                + " clients (blobs/s, vs plain)", median(blobsPerSecond.values().get(berth)),
                median(blobsPerSecond.values().get(peer)), "%.0f", Optional.of(1.3)));
    }

    // ---- 2. manifest HEAD by tag

    /** What {@code docker pull} asks first: HEAD of a manifest by tag, from many keep-alive clients. */
    private void manifestHead() throws Exception {
        Content.Image app = Content.Image.generated(3, 16 * 1024, 16 * 1024, 16 * 1024);
        for (Target t : List.of(berth, peer)) {
            new Seeder(t.base()).pushImage("bench/app", "v1", app);
            headLoop(t, "bench/app", Duration.ofSeconds(1));  // warm-up
        }
        Runs perSecond = alternate("manifest HEAD req/s", "1000 requests",
                t -> perThousand(headLoop(t, "bench/app", plan.timed())));
        rows.add(Row.higherBetter("manifest HEAD by tag, " + plan.headClients() + " clients (req/s, vs plain)",
                median(perSecond.values().get(berth)), median(perSecond.values().get(peer)), "%.0f",
                Optional.of(5.0)));
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

    // ---- 3. and 4. cold blobs and pulls, upstream GETs per cold blob

    /**
     * One large blob that the mirrors have never seen, GET through berth, through two berths in a row (the edge, whose
     * upstream is berth) and directly from the upstream, each time a fresh blob of its own; the client checks the
     * digest, as docker does. Every target first gets one more blob, untimed (cold content, warm code); berth's is
     * its first fill since it started, and reported as such.
     */
    private void coldBlobs() throws Exception {
        List<Target> order = new ArrayList<>(List.of(berth, upstream, edge));
        nginxCache.ifPresent(order::add);
        Map<Target, List<Content.Blob>> blobs = new HashMap<>();
        progress("   pushing " + order.size() * (plan.reps() + 1) + " blobs of " + mib(plan.coldBlob())
                + " MiB to the upstream");
        Seeder seeder = new Seeder(upstream.base());
        for (int rep = 0; rep <= plan.reps(); rep++) {
            for (int k = 0; k < order.size(); k++) {
                Content.Blob blob = Content.Blob.generated(700 + 10 * k + rep, plan.coldBlob());
                seeder.pushBlob(coldBlobRepository(order.get(k), rep), blob);
                blobs.computeIfAbsent(order.get(k), x -> new ArrayList<>()).add(blob);
            }
        }
        Map<Target, Double> first = new HashMap<>();
        Map<Target, double[]> seconds = new HashMap<>();
        Map<Target, double[]> cpuPerGib = new HashMap<>();
        Map<Target, double[]> leastSeconds = new HashMap<>();
        for (Target t : order) {
            seconds.put(t, new double[plan.reps()]);
            cpuPerGib.put(t, new double[plan.reps()]);
            leastSeconds.put(t, new double[plan.reps()]);
        }
        for (int rep = 0; rep <= plan.reps(); rep++) {
            for (int k = 0; k < order.size(); k++) {
                // The untimed round last in the rotation, berth first in it.
                int round = (rep + plan.reps()) % (plan.reps() + 1);
                Target t = order.get((k + round) % order.size());
                Content.Blob blob = blobs.get(t).get(round);
                writeBack();
                double cpu = t.pid() > 0 ? t.cpuSeconds() : 0;
                double busy = machineBusySeconds();
                long start = System.nanoTime();
                verifiedGet(t, "/v2/" + coldBlobRepository(t, round) + "/blobs/" + blob.digest(), blob);
                double s = (System.nanoTime() - start) / 1e9;
                if (round == plan.reps()) {
                    first.put(t, s);
                } else {
                    seconds.get(t)[round] = s;
                    leastSeconds.get(t)[round] = (machineBusySeconds() - busy) / CORES;
                    if (t.pid() > 0) {
                        cpuPerGib.get(t)[round] = (t.cpuSeconds() - cpu) / (plan.coldBlob() / (double) (1L << 30));
                    }
                }
                progress(String.format("   %s%s: %.2f s", t.name(), round == plan.reps() ? ", untimed" : "", s));
            }
        }
        double direct = median(seconds.get(upstream));
        String blob = mib(plan.coldBlob()) + " MiB";
        rows.add(Row.timeAtMost("cold blob GET, " + blob + ", through berth (s, vs direct from the upstream)",
                median(seconds.get(berth)), direct, "%.2f", 1.35));
        rows.add(Row.info("  berth's first cold blob since it started (s, vs direct)",
                String.format("%.2f", first.get(berth)), String.format("%.2f", direct)));
        rows.add(Row.timeAtMost("cold blob GET, " + blob + ", through two berths in a row (s, vs direct)",
                median(seconds.get(edge)), direct, "%.2f", 1.5));
        rows.add(Row.timeAtMost("  the same, through two berths vs through one (s)",
                median(seconds.get(edge)), median(seconds.get(berth)), "%.2f", 1.2));
        nginxCache.ifPresent(nginx -> {
            rows.add(Row.lowerBetter("  the same, through berth vs through nginx's proxy_cache (s)",
                    median(seconds.get(berth)), median(seconds.get(nginx)), "%.2f"));
            rows.add(Row.lowerBetter("  berth's CPU per cold GiB vs nginx's proxy_cache's (s)",
                    median(cpuPerGib.get(berth)), median(cpuPerGib.get(nginx)), "%.2f"));
        });
        rows.add(Row.info("  CPU per cold GiB (s): berth, and the second of two berths in a row",
                String.format("%.2f", median(cpuPerGib.get(berth))), String.format("%.2f", median(cpuPerGib.get(edge)))));
        // On a machine this small every process of the path (upstream, mirrors, client, which checks the digest)
        // shares its cores, so the work of all of them bounds the time from below however it is spread. Only on an
        // otherwise idle machine: anything else running counts too.
        rows.add(Row.info("  the machine's CPU during it ÷ its " + CORES + " cores, the least time that work allows (s):"
                + " through berth, direct", String.format("%.2f", median(leastSeconds.get(berth))),
                String.format("%.2f", median(leastSeconds.get(upstream)))));
        rows.add(Row.info("  the same: through two berths, through nginx's proxy_cache",
                String.format("%.2f", median(leastSeconds.get(edge))),
                nginxCache.map(nginx -> String.format("%.2f", median(leastSeconds.get(nginx)))).orElse("")));
        detail("cold blob s per repetition", seconds);
        detail("the machine's CPU during each ÷ its cores (s)", leastSeconds);
        details.add(String.format("the untimed first cold blob of each: berth %.2f s (its first since it started), "
                + "two berths %.2f s, upstream %.2f s", first.get(berth), first.get(edge), first.get(upstream)));
    }

    /**
     * Pulls an image that the mirror has never seen with skopeo, through berth, through berth on S3 (into the
     * bucket), through distribution's proxy, and directly from the upstream: each pull has an image of its own (same
     * sizes, other bytes), so every one is cold. Each target first pulls one more image of its own, untimed: cold
     * content, but warm code (berth's JIT compiler, as the other tests do by their warm-ups).
     */
    private void coldPulls() throws Exception {
        Seeder seeder = new Seeder(upstream.base());
        List<Target> order = List.of(upstream, berth, proxy, berthS3);
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
            writeBack();
            skopeo.pull(t.base(), coldRepository(t, warmUp), "v1");
        }
        Map<Target, double[]> seconds = new HashMap<>();
        for (Target t : order) {
            seconds.put(t, new double[plan.coldReps()]);
        }
        for (int rep = 0; rep < plan.coldReps(); rep++) {
            for (int k = 0; k < order.size(); k++) {
                Target t = order.get((k + rep) % order.size());
                writeBack();
                seconds.get(t)[rep] = skopeo.pull(t.base(), coldRepository(t, rep), "v1");
                progress(String.format("   %s: %.2f s", t.name(), seconds.get(t)[rep]));
            }
        }
        double direct = median(seconds.get(upstream));
        String image = mib(imageSize()) + " MiB image, " + (plan.coldLayers().length + 1) + " blobs";
        rows.add(Row.timeAtMost("cold pull of a " + image + ", skopeo, through berth (s, vs direct)",
                median(seconds.get(berth)), direct, "%.2f", 1.2));
        rows.add(Row.lowerBetter("  the same, through berth vs through distribution's proxy (s)",
                median(seconds.get(berth)), median(seconds.get(proxy)), "%.2f"));
        rows.add(Row.lowerBetter("  the same, into an S3 bucket through berth on S3 (s, vs direct)",
                median(seconds.get(berthS3)), direct, "%.2f"));
        detail("cold pull s per repetition", seconds);

        List<AccessLog.Request> requests = upstreamLog.settled(Duration.ofSeconds(1));
        Map<Target, long[]> upstreamGets = new HashMap<>();
        for (Target t : List.of(berth, berthS3, proxy)) {
            upstreamGets.put(t, IntStream.range(0, plan.coldReps())
                    .mapToLong(rep -> AccessLog.count(requests, "GET", coldRepository(t, rep), "blobs"))
                    .toArray());
        }
        int blobsPerImage = plan.coldLayers().length + 1;
        long pulledBlobs = (long) blobsPerImage * plan.coldReps();
        rows.add(Row.exactly("upstream GETs per cold blob (vs proxy)",
                (double) Arrays.stream(upstreamGets.get(berth)).sum() / pulledBlobs,
                (double) Arrays.stream(upstreamGets.get(proxy)).sum() / pulledBlobs, "%.2f", 1));
        rows.add(Row.exactly("  the same, berth on S3", (double) Arrays.stream(upstreamGets.get(berthS3)).sum()
                / pulledBlobs, "", "%.2f", 1));
        details.add("upstream blob GETs per cold pull of " + blobsPerImage + " blobs: berth "
                + Arrays.toString(upstreamGets.get(berth)) + ", berth on S3 " + Arrays.toString(upstreamGets.get(berthS3))
                + ", distribution proxy " + Arrays.toString(upstreamGets.get(proxy)));
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
        return "cold/" + t.id() + "-" + rep;
    }

    /**
     * What a lazy-pulling client (eStargz, SOCI, nydus) asks first of a layer: its last MiB, by Range. The time to the
     * first byte of it, from a blob berth has never seen (berth then fetches the range on its own while its download
     * of the whole blob runs), vs the same range of another fresh blob asked of the upstream directly. Berth's
     * download is then read whole and checked (untimed), so the next repetition does not share the machine with it.
     * As in the other cold rows, each target first fetches one more, untimed: cold content, warm code. The far range's
     * path runs once per blob, so before that each target also serves {@link #RANGE_WARM_UPS} such ranges of small
     * fresh blobs, untimed, as a server that lazy clients use has.
     */
    private void lazyRange() throws Exception {
        List<Target> order = List.of(berth, upstream);
        Seeder seeder = new Seeder(upstream.base());
        long tail = Math.min(MiB, plan.coldBlob());
        progress("   " + RANGE_WARM_UPS + " untimed ranges of fresh " + mib(RANGE_WARM_UP_BLOB) + " MiB blobs each");
        for (int n = 0; n < RANGE_WARM_UPS; n++) {
            for (Target t : order) {
                Content.Blob blob = Content.Blob.generated(5_000 + n, RANGE_WARM_UP_BLOB);
                String repository = "lazyrange-warm/" + t.id() + "-" + n;
                seeder.pushBlob(repository, blob);
                String path = "/v2/" + repository + "/blobs/" + blob.digest();
                firstByteOfTail(t, path, blob, tail);
                if (t == berth) {
                    verifiedGet(t, path, blob);
                }
            }
        }
        Map<Target, List<Content.Blob>> blobs = new HashMap<>();
        int runs = plan.rangeReps() + 1;
        for (int rep = 0; rep < runs; rep++) {
            for (int k = 0; k < order.size(); k++) {
                Content.Blob blob = Content.Blob.generated(900 + 100 * k + rep, plan.coldBlob());
                seeder.pushBlob(lazyRangeRepository(order.get(k), rep), blob);
                blobs.computeIfAbsent(order.get(k), x -> new ArrayList<>()).add(blob);
            }
        }
        Map<Target, double[]> millis = new HashMap<>();
        for (Target t : order) {
            millis.put(t, new double[plan.rangeReps()]);
        }
        for (int rep = 0; rep < runs; rep++) {
            for (int k = 0; k < order.size(); k++) {
                Target t = order.get((k + rep) % order.size());
                Content.Blob blob = blobs.get(t).get(rep);
                String path = "/v2/" + lazyRangeRepository(t, rep) + "/blobs/" + blob.digest();
                writeBack();
                double after = firstByteOfTail(t, path, blob, tail);
                if (rep > 0) {
                    millis.get(t)[rep - 1] = after;
                }
                progress(String.format("   %s: first byte after %.1f ms%s", t.name(), after,
                        rep == 0 ? " (untimed)" : ""));
                if (t == berth) {
                    verifiedGet(t, path, blob);
                }
            }
        }
        rows.add(Row.timeAtMost("first byte of the last MiB of a cold " + mib(plan.coldBlob())
                + " MiB blob, by Range, through berth (ms, vs direct)", median(millis.get(berth)),
                median(millis.get(upstream)), "%.1f", 2.0));
        detail("last MiB of a cold blob, ms to its first byte per repetition", millis);
        lazyCrowd(seeder, tail);
    }

    /** Milliseconds to the first byte of the last {@code tail} bytes of {@code blob}, asked by Range; checked. */
    private static double firstByteOfTail(Target t, String path, Content.Blob blob, long tail) throws IOException {
        long start = System.nanoTime();
        try (Http1 http = new Http1(t.base())) {
            return (tailOf(http, t, path, blob, tail, false) - start) / 1e6;
        }
    }

    /**
     * Asks the last {@code tail} bytes of {@code blob} by Range and checks them; the nanoTime of their first byte.
     * With {@code wholeWillDo}, the whole blob (200) is an answer too, checked against the blob's digest: what
     * distribution's proxy sends for a blob not cached.
     */
    private static long tailOf(Http1 http, Target t, String path, Content.Blob blob, long tail, boolean wholeWillDo)
            throws IOException {
        long[] firstByte = {0};
        Http1.DigestSink digest = new Http1.DigestSink();
        Http1.Response r = http.sendWith("GET", path, "Range: bytes=-" + tail, (b, off, len) -> {
            if (firstByte[0] == 0) {
                firstByte[0] = System.nanoTime();
            }
            digest.write(b, off, len);
        });
        String expected;
        try (var in = blob.source().get()) {
            in.skipNBytes(blob.size() - tail);
            expected = Content.sha256(in);
        }
        boolean whole = wholeWillDo && r.status() == 200 && digest.digest().equals(blob.digest());
        if (!whole && (r.status() != 206 || !digest.digest().equals(expected))) {
            throw new IllegalStateException(t.name() + " answered " + r.status() + " to the last " + tail
                    + " bytes of " + path + " with bytes of another digest");
        }
        return firstByte[0];
    }

    /**
     * Lazy pullers starting one image all at once: {@code herdClients} clients ask the last MiB of one blob the mirror
     * has never seen, together. berth asks the upstream for that range once, beside the blob's one download;
     * distribution's proxy sends each client the whole blob, fetched per client. The upstream's GETs of the blob,
     * and the time until the last client has its range (or the whole blob) checked; berth's download is then read
     * whole (untimed), so that the rows after do not share the machine.
     */
    private void lazyCrowd(Seeder seeder, long tail) throws Exception {
        long size = plan.coldLayers()[0];
        Map<Target, Double> seconds = new HashMap<>();
        for (Target t : List.of(berth, proxy)) {
            Content.Blob blob = Content.Blob.generated(t == berth ? 700 : 701, size);
            String repository = "lazycrowd/" + t.id();
            seeder.pushBlob(repository, blob);
            String path = "/v2/" + repository + "/blobs/" + blob.digest();
            seconds.put(t, Load.together(t.base(), plan.herdClients(), (http, c, i) -> tailOf(http, t, path, blob,
                    tail, true)));
            progress(String.format("   %d clients at once, %s: %.2f s", plan.herdClients(), t.name(), seconds.get(t)));
            if (t == berth) {
                verifiedGet(t, path, blob);
            }
        }
        List<AccessLog.Request> requests = upstreamLog.settled(Duration.ofSeconds(1));
        String crowd = plan.herdClients() + " clients at once, the last MiB of one cold " + mib(size) + " MiB blob";
        rows.add(Row.exactly(crowd + ": upstream GETs, the range's and the blob's (vs proxy)",
                AccessLog.count(requests, "GET", "lazycrowd/" + berth.id(), "blobs"),
                AccessLog.count(requests, "GET", "lazycrowd/" + proxy.id(), "blobs"), "%.0f", 2));
        rows.add(Row.lowerBetter(crowd + ": until the last has it (s, vs proxy)", seconds.get(berth),
                seconds.get(proxy), "%.2f"));
    }

    private static String lazyRangeRepository(Target t, int rep) {
        return "lazyrange/" + t.id() + "-" + rep;
    }

    /** Apart from the cold pulls' repositories, whose upstream GETs are counted. */
    private static String coldBlobRepository(Target t, int rep) {
        return "coldblob/" + t.id() + "-" + rep;
    }

    private static String herdRepository(Target t) {
        return "herd/" + t.id();
    }

    private long imageSize() {
        return Arrays.stream(plan.coldLayers()).sum();
    }

    // ---- berth on an S3 bucket

    /**
     * A blob pushed to berth on S3, read whole by a few clients at once: through berth, which streams it from the
     * bucket; through the berth that answers with a redirect, the client following it to s3proxy; and from s3proxy
     * directly, at the presigned URL that redirect gives. No target: how far berth's relay costs, and what the
     * redirect saves.
     */
    private void warmS3Blob() throws Exception {
        Content.Blob blob = Content.Blob.generated(4, plan.s3Blob());
        String path = "/v2/bench/s3/blobs/" + blob.digest();
        progress("   pushing a " + mib(blob.size()) + " MiB blob to berth on S3");
        new Seeder(berthS3.base()).pushBlob("bench/s3", blob);
        String presigned;
        try (Http1 http = new Http1(berthS3Redirect.base())) {
            Http1.Response r = http.send("GET", path, null, Http1.Sink.DISCARD);
            if (r.status() != 307 || !r.headers().containsKey("location")) {
                throw new IllegalStateException(berthS3Redirect.name() + " answered " + r.status() + " to GET " + path
                        + ", expected a redirect");
            }
            presigned = r.headers().get("location");
        }
        URI direct = URI.create(presigned);
        if (!direct.getHost().equals(s3proxy.base().getHost()) || direct.getPort() != s3proxy.base().getPort()) {
            throw new IllegalStateException("the redirect leads to " + presigned + ", not to s3proxy");
        }
        String directPath = direct.getRawPath() + "?" + direct.getRawQuery();
        verifiedGet(berthS3, path, blob);
        verifiedGet(s3proxy, directPath, blob);
        Runs mibPerSecond = rotate(List.of(berthS3, berthS3Redirect, s3proxy), "warm S3 blob MiB/s", "GiB", t -> {
            if (t == berthS3Redirect) {
                double seconds = Load.together(t.base(), plan.bigClients(), (http, c, i) -> followed(http, path,
                        blob.size()));
                double mib = plan.bigClients() * mib(blob.size());
                return new Sample(mib / seconds, mib / 1024);
            }
            return readWhole(t, t.base(), t == s3proxy ? directPath : path, blob.size());
        });
        String metric = "warm blob GET from S3, " + mib(blob.size()) + " MiB blob, " + plan.bigClients() + " clients";
        double s3 = median(mibPerSecond.values().get(s3proxy));
        rows.add(Row.higherBetter(metric + ", through berth (MiB/s, vs s3proxy directly)",
                median(mibPerSecond.values().get(berthS3)), s3, "%.0f", Optional.empty()));
        rows.add(Row.higherBetter("  the same, berth redirecting to s3proxy (MiB/s, vs s3proxy directly)",
                median(mibPerSecond.values().get(berthS3Redirect)), s3, "%.0f", Optional.empty()));
        details.add("s3proxy's CPU is not counted in berth's above; berth on S3 relays every byte of it");
    }

    /**
     * A blob pushed to berth on S3 with a hot tier and to berth on its own disk, read whole by a few clients at once:
     * the tier is to serve warm blobs as fast as a disk does, with no GET of the bucket (each of the tier's misses,
     * berth_hot_tier_reads_total{result="miss"}, is one). The first read, untimed, puts the pushed blob in the tier,
     * and an untimed round of the clients warms the code of the tier's hits.
     */
    private void hotTier() throws Exception {
        Content.Blob blob = Content.Blob.generated(5, plan.s3Blob());
        String path = "/v2/bench/hot/blobs/" + blob.digest();
        progress("   pushing a " + mib(blob.size()) + " MiB blob to berth on S3 with a hot tier and to berth");
        pushAndRead(List.of(berthS3Hot, berth), "bench/hot", blob);
        // The tier's first read was a fill, not a hit, and berth on its own disk has served gigabytes by this path
        // in the rows before, berth on S3 with the tier none: one untimed round of the clients each, so that both
        // serve the timed reads as they serve every later one, with that path's code compiled.
        for (Target t : List.of(berthS3Hot, berth)) {
            verifiedGet(t, path, blob);
            readWhole(t, t.base(), path, blob.size());
        }
        double[] before = tierReads();
        Runs mibPerSecond = rotate(List.of(berthS3Hot, berth), "warm hot tier blob MiB/s", "GiB",
                t -> readWhole(t, t.base(), path, blob.size()));
        double[] after = tierReads();
        double reads = plan.reps() * plan.bigClients();
        String metric = "warm blob GET from S3 with a hot tier, " + mib(blob.size()) + " MiB blob, " + plan.bigClients()
                + " clients";
        rows.add(Row.higherBetter(metric + " (MiB/s, vs berth on its own disk)",
                median(mibPerSecond.values().get(berthS3Hot)), median(mibPerSecond.values().get(berth)), "%.0f",
                Optional.of(1.0)));
        rows.add(Row.lowerBetter("  server CPU per GiB sent in it (ms, vs berth on its own disk)",
                median(mibPerSecond.cpu().get(berthS3Hot)), median(mibPerSecond.cpu().get(berth)), "%.0f"));
        rows.add(Row.atMost("  bucket GETs per warm read (the tier's misses)", (after[1] - before[1]) / reads, "",
                "%.2f", 0.01));
        details.add(String.format("hot tier during the warm reads: %.0f reads, %.0f hits, %.0f misses", reads,
                after[0] - before[0], after[1] - before[1]));
    }

    /** berth on S3 with a hot tier: its blob reads so far from the tier (hits) and from the bucket (misses). */
    private double[] tierReads() throws IOException {
        try (Http1 http = new Http1(berthS3Hot.base())) {
            return new double[] {Rollout.metric(http, "berth_hot_tier_reads_total", "result=\"hit\""),
                    Rollout.metric(http, "berth_hot_tier_reads_total", "result=\"miss\"")};
        }
    }

    /** A blob GET from berth answered with a redirect, followed on a connection of its own as a client does. */
    private void followed(Http1 http, String path, long size) throws IOException {
        Http1.Response r = http.send("GET", path, null, Http1.Sink.DISCARD);
        String location = r.headers().get("location");
        if (r.status() != 307 || location == null) {
            throw new IllegalStateException(berthS3Redirect.name() + " answered " + r.status() + " to GET " + path);
        }
        URI to = URI.create(location);
        try (Http1 s3 = new Http1(to)) {
            get(s3, s3proxy, to.getRawPath() + "?" + to.getRawQuery(), size);
        }
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

    // ---- 6. a rollout: the model, calibrated on loopback

    private void rollout() throws Exception {
        Rollout.Report report = new Rollout(plan, fleet, proxy, upstream, upstreamLog).run();
        rows.addAll(report.rows());
        details.addAll(report.details());
        sections.addAll(report.section());
    }

    /** berth started again and again by ./berth, with its ahead-of-time cache and without (StartUp). */
    private void startUp() throws Exception {
        StartUp.Report report = new StartUp(plan, launcher, upstream, scratch).run();
        rows.addAll(report.rows());
        details.addAll(report.details());
    }

    // ---- 7. memory

    /** The high-water mark of resident memory (VmHWM) over the whole run, berth's against its target. */
    private void peakRss() throws IOException {
        double berthPeak = vmHwmMiB(berth);
        rows.add(Row.atMost("peak RSS, VmHWM (MiB, vs plain / proxy)", berthPeak,
                String.format("%.0f / %.0f", vmHwmMiB(peer), vmHwmMiB(proxy)), "%.0f", 256));
        details.add("berth's memory at the end: " + procStatus(berth, "VmRSS", "RssAnon", "RssFile"));
        details.add(String.format("peak RSS of the other berths (MiB): two berths' edge %.0f, berth on S3 %.0f, "
                + "berth on S3 with redirects %.0f", vmHwmMiB(edge), vmHwmMiB(berthS3), vmHwmMiB(berthS3Redirect)));
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

    /**
     * Writes every file's dirty pages to disk ({@code sync}), untimed, before a cold fetch: the gigabytes just pushed
     * to the upstream, which in use is another machine, and the previous fetch's fill would otherwise be written back
     * during the next one, and the kernel slows every writer down while that many pages wait.
     */
    static void writeBack() throws IOException, InterruptedException {
        Process sync = new ProcessBuilder("sync").inheritIO().start();
        if (sync.waitFor() != 0) {
            throw new IllegalStateException("sync exited with " + sync.exitValue());
        }
    }

    private interface PerTarget {
        Sample measure(Target t) throws Exception;
    }

    /** Each target's figure per repetition, and the CPU time its server used per unit of work in each. */
    record Runs(Map<Target, double[]> values, Map<Target, double[]> cpu) {
    }

    /** {@link #rotate} of berth and the plain distribution. */
    private Runs alternate(String what, String unit, PerTarget measurement) throws Exception {
        return rotate(List.of(berth, peer), what, unit, measurement);
    }

    /**
     * Repeats a measurement of each target, rotating which goes first, and notes each one's server CPU time per
     * {@code unit} of work: on a shared machine that varies less than the throughput does.
     */
    private Runs rotate(List<Target> targets, String what, String unit, PerTarget measurement) throws Exception {
        Map<Target, double[]> values = new HashMap<>();
        Map<Target, double[]> cpu = new HashMap<>();
        for (Target t : targets) {
            values.put(t, new double[plan.reps()]);
            cpu.put(t, new double[plan.reps()]);
        }
        for (int rep = 0; rep < plan.reps(); rep++) {
            for (int k = 0; k < targets.size(); k++) {
                Target t = targets.get((k + rep) % targets.size());
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
        return new Runs(values, cpu);
    }

    /** {@code bigClients} clients read the whole blob at {@code path} of {@code server} at once: MiB/s. */
    private Sample readWhole(Target t, URI server, String path, long size) throws InterruptedException {
        double seconds = Load.together(server, plan.bigClients(), (http, c, i) -> get(http, t, path, size));
        double mib = plan.bigClients() * mib(size);
        return new Sample(mib / seconds, mib / 1024);
    }

    /** A GET that must answer 200 with {@code size} bytes. */
    static void get(Http1 http, Target t, String path, long size) throws IOException {
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

    /** Pushes {@code blob} to each target and reads it back once, checked: the warm-up. */
    private static void pushAndRead(List<Target> targets, String repository, Content.Blob blob) throws Exception {
        for (Target t : targets) {
            new Seeder(t.base()).pushBlob(repository, blob);
            verifiedGet(t, "/v2/" + repository + "/blobs/" + blob.digest(), blob);
        }
    }

    static void verifiedGet(Target t, String path, Content.Blob blob) throws IOException {
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

    /**
     * CPU time all of this machine's processes have used so far, from /proc/stat: user, nice, system, irq and softirq;
     * not idle, I/O wait, nor steal (time the hypervisor gave to others).
     */
    private static double machineBusySeconds() throws IOException {
        String[] ticks = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal ..., in clock ticks (100 per second)
        long busy = 0;
        for (int field : new int[] {1, 2, 3, 6, 7}) {
            busy += Long.parseLong(ticks[field]);
        }
        return busy / 100.0;
    }

    private static int machineCores() {
        try {
            return (int) Math.max(1, Files.readAllLines(Path.of("/proc/stat")).stream()
                    .filter(line -> line.matches("cpu\\d+ .*")).count());
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
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

    private static Target target(Map<String, String> options, String id, String name) {
        String url = options.get(id);
        if (url == null) {
            throw new IllegalArgumentException("missing --" + id + " URL");
        }
        return new Target(id, name, URI.create(url), Long.parseLong(options.getOrDefault(id + "-pid", "0")));
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
