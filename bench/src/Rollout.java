import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The rollout measurement: a scaled-down rollout on loopback (many clients at once, each pulling every blob of one
 * cold image, through berth's fleet of three instances on one bucket, through distribution's proxy, and from the
 * upstream directly), compared with what {@link RolloutModel} predicts from throughputs measured just before; then
 * the model for 1,000 nodes.
 */
final class Rollout {
    private static final long MiB = 1024 * 1024;
    /** The fleet the model is run for: 1 GiB in 20 layers to 1,000 nodes over a 100 MB/s WAN, 1.25 GB/s LANs. */
    private static final long FLEET_IMAGE = 1024 * MiB;
    private static final int FLEET_LAYERS = 20;
    private static final int FLEET_NODES = 1_000;
    private static final double FLEET_WAN = 100e6;
    private static final double FLEET_LAN = 1.25e9;
    /**
     * What a fleet's instance is fed with: bench/RESULTS.md's warm row (1,387 MiB/s to 4 clients) and cold row (256 MiB
     * filled in 1.21 s) of the last full run. The calibration uses what this run measures instead, under the same load
     * as the rollout it predicts; on a shared machine that says little of a server of its own.
     */
    private static final RolloutModel.Throughput RESULTS = new RolloutModel.Throughput(256 * MiB / 1.21, 1387.0 * MiB);

    private static final String FILLS_IN_FLIGHT = "berth_blob_fills_in_flight";

    private final Bench.Plan plan;
    /** The instances of berth's fleet: one bucket, {@code cluster.peers}, {@code cluster.secret-file}. */
    private final List<Bench.Target> fleet;
    private final Bench.Target proxy;
    private final Bench.Target upstream;
    private final AccessLog upstreamLog;
    private final Seeder seeder;

    Rollout(Bench.Plan plan, List<Bench.Target> fleet, Bench.Target proxy, Bench.Target upstream,
            AccessLog upstreamLog) {
        this.plan = plan;
        this.fleet = fleet;
        this.proxy = proxy;
        this.upstream = upstream;
        this.upstreamLog = upstreamLog;
        this.seeder = new Seeder(upstream.base());
    }

    /** What the measurement adds to the report: table rows, lines under it, and the model's own table. */
    record Report(List<Row> rows, List<String> details, List<String> section) {
    }

    Report run() throws Exception {
        RolloutModel.Throughput measured = throughputs();
        double wan = upstreamRate();
        Bench.progress(String.format("   upstream %.0f MB/s, berth's cold fill %.0f MB/s, berth warm %.0f MB/s per"
                + " instance", wan / 1e6, measured.fill() / 1e6, measured.serve() / 1e6));
        long layerBytes = plan.rolloutLayerBytes();
        int layers = plan.rolloutLayers();
        int clients = plan.rolloutClients();
        // Loopback has no LAN limit: each instance sends what it was measured to serve.
        RolloutModel.Site small = new RolloutModel.Site(layerBytes * layers, layers, clients, 1, wan,
                Double.POSITIVE_INFINITY);

        List<Row> rows = new ArrayList<>();
        List<String> details = new ArrayList<>();
        String scale = String.format("rollout on loopback, %d clients × %d blobs of %.1f MiB, %d berths on one bucket"
                + " (vs 1 proxy)", clients, layers, (double) layerBytes / MiB, fleet.size());
        Real viaFleet = rollout(fleet, 0, layers, layerBytes, clients);
        Real viaProxy = rollout(List.of(proxy), 1, layers, layerBytes, clients);
        Real direct = rollout(List.of(upstream), 2, layers, layerBytes, clients);
        RolloutModel.Outcome model = RolloutModel.fleet(small.withInstances(fleet.size()), measured);
        RolloutModel.Outcome perRequest = RolloutModel.perRequest(small, measured);
        RolloutModel.Outcome none = RolloutModel.noMirror(small);
        rows.add(Row.info(scale + ": upstream GETs, measured / model", viaFleet.gets() + " / " + model.requests(),
                viaProxy.gets() + " / " + perRequest.requests()));
        rows.add(Row.info("  the same: until the last client has it, measured / model (s)",
                String.format("%.2f / %.2f", viaFleet.seconds(), model.seconds()),
                String.format("%.2f / %.2f", viaProxy.seconds(), perRequest.seconds())));
        details.add(String.format("rollout model inputs measured in this run: upstream %.0f MB/s (%d clients of a"
                        + " warm blob, read directly), berth's cold fill %.0f MB/s (one client of the fleet's first"
                        + " instance), berth warm %.0f MB/s per instance (%d clients on each of the %d at once, so"
                        + " that the instances share this machine's cores as in the rollout)", wan / 1e6,
                plan.bigClients(), measured.fill() / 1e6, measured.serve() / 1e6, plan.bigClients(), fleet.size()));
        details.add(String.format("rollout calibration, measured / model: berth's fleet of %d (%d clients spread over"
                        + " them) %s, distribution's proxy %s, no mirror (%d clients straight from the upstream) %d /"
                        + " %d GETs in %.2f / %.2f s (%s)", fleet.size(), clients, agreement(viaFleet, model),
                agreement(viaProxy, perRequest), clients, direct.gets(), none.requests(), direct.seconds(),
                none.seconds(), ratio(direct.seconds(), none.seconds())));

        RolloutModel.Site fleetSite = new RolloutModel.Site(FLEET_IMAGE, FLEET_LAYERS, FLEET_NODES, 1, FLEET_WAN,
                FLEET_LAN);
        List<String> section = new ArrayList<>();
        section.add(String.format("Rollout model: 1 GiB in %d layers to %,d nodes at once, WAN %.0f MB/s, each"
                        + " instance's LAN %.2f GB/s; berth's cold fill %.0f MB/s and warm serving %.0f MB/s per"
                        + " instance (bench/RESULTS.md's cold and warm rows); blob requests only", FLEET_LAYERS,
                FLEET_NODES, FLEET_WAN / 1e6, FLEET_LAN / 1e9, RESULTS.fill() / 1e6, RESULTS.serve() / 1e6));
        section.add("");
        section.addAll(RolloutModel.table(fleetSite, RESULTS, 1, 3, 10));
        return new Report(rows, details, section);
    }

    /** One scaled-down rollout's outcome: upstream blob GETs, and seconds until the last client had every blob. */
    record Real(long gets, double seconds) {
    }

    /**
     * {@code clients} clients at once, spread over {@code servers}, each GETting all {@code layers} blobs of an image
     * none has seen, one after another in the manifest's order, as nodes that start together pull.
     */
    private Real rollout(List<Bench.Target> servers, int seed, int layers, long layerBytes, int clients)
            throws Exception {
        Bench.Target t = servers.get(0);
        String repository = "rollout/" + t.id();
        List<Content.Blob> blobs = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            blobs.add(Content.Blob.generated(800_000 + seed * 1_000 + i, layerBytes));
        }
        seeder.pushBlobs(repository, blobs);
        Bench.writeBack();
        double seconds = Load.together(servers.stream().map(Bench.Target::base).toList(), clients,
                (http, c, ignored) -> {
                    for (int k = 0; k < layers; k++) {
                        Content.Blob blob = blobs.get(k);
                        Bench.get(http, servers.get(c % servers.size()), "/v2/" + repository + "/blobs/"
                                + blob.digest(), blob.size());
                    }
                });
        long gets = AccessLog.count(upstreamLog.settled(Duration.ofSeconds(1)), "GET", repository, "blobs");
        // The direct pulls are the upstream's own requests, counted the same way.
        Bench.progress(String.format("   %s%s: %d upstream GETs, %.2f s", t.name(), servers.size() > 1 ? " and "
                + (servers.size() - 1) + " more" : "", gets, seconds));
        return new Real(gets, seconds);
    }

    /**
     * berth's cold fill (one client of the fleet's first instance, a blob never seen, after one untimed fill: cold
     * content, warm code) and its warm serving per instance ({@code bigClients} of that blob on every instance at
     * once).
     */
    private RolloutModel.Throughput throughputs() throws Exception {
        Bench.Target first = fleet.get(0);
        Content.Blob untimed = Content.Blob.generated(799_000, plan.rolloutProbe());
        String warmUp = probe(untimed, "rollout-probe/untimed");
        Load.together(first.base(), 1, (http, c, i) -> Bench.get(http, first, warmUp, untimed.size()));
        Content.Blob blob = Content.Blob.generated(799_001, plan.rolloutProbe());
        String path = probe(blob, "rollout-probe/fill");
        double fill = blob.size() / Load.together(first.base(), 1, (http, c, i) -> Bench.get(http, first, path,
                blob.size()));
        // The client has the last byte before the owner has stored the blob: read at once, the other instances would
        // fetch it again from the owner, and the warm rate would be a relay's.
        awaitFillsEnded();
        return new RolloutModel.Throughput(fill, readTogether(fleet, path, blob.size()) / fleet.size());
    }

    /** Waits until no instance of the fleet has a blob download under way (its {@code berth_blob_fills_in_flight}). */
    private void awaitFillsEnded() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (Bench.Target t : fleet) {
            try (Http1 http = new Http1(t.base())) {
                while (fillsInFlight(http) > 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(t.name() + " still fills a blob after 60 s");
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    private static double fillsInFlight(Http1 http) throws IOException {
        return metric(http, FILLS_IN_FLIGHT, "");
    }

    /** A series of berth's metrics: the first line that starts with {@code name} and has {@code label} in it. */
    static double metric(Http1 http, String name, String label) throws IOException {
        Http1.BytesSink sink = new Http1.BytesSink();
        http.send("GET", "/observe/metrics", null, sink);
        return new String(sink.bytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith(name) && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new IllegalStateException("no " + name + " in the metrics"));
    }

    /** The upstream's rate to {@code bigClients} clients reading one warm blob directly. */
    private double upstreamRate() throws Exception {
        Content.Blob blob = Content.Blob.generated(799_002, plan.rolloutProbe());
        String path = probe(blob, "rollout-probe/upstream");
        return readTogether(List.of(upstream), path, blob.size());
    }

    private String probe(Content.Blob blob, String repository) throws Exception {
        seeder.pushBlob(repository, blob);
        Bench.writeBack();
        return "/v2/" + repository + "/blobs/" + blob.digest();
    }

    /** Bytes/s in all when {@code bigClients} clients on each of {@code servers} read the whole blob at once. */
    private double readTogether(List<Bench.Target> servers, String path, long size) throws InterruptedException {
        int clients = plan.bigClients() * servers.size();
        double seconds = Load.together(servers.stream().map(Bench.Target::base).toList(), clients,
                (http, c, i) -> Bench.get(http, servers.get(c % servers.size()), path, size));
        return clients * (double) size / seconds;
    }

    private static String agreement(Real real, RolloutModel.Outcome model) {
        return String.format("%d / %d GETs in %.2f / %.2f s (%s)", real.gets(), model.requests(), real.seconds(),
                model.seconds(), ratio(real.seconds(), model.seconds()));
    }

    /** How far the measured time is from the model's: {@code measured 1.18× the model}. */
    private static String ratio(double measured, double model) {
        return String.format("measured %.2f× the model", measured / model);
    }
}
