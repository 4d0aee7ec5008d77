package dev.berth;

import dev.berth.auth.Accounts;
import dev.berth.auth.HtpasswdAccounts;
import dev.berth.auth.Tokens;
import dev.berth.cache.AccessIndex;
import dev.berth.cache.DiskBudget;
import dev.berth.config.BerthConfig;
import dev.berth.http.AccessLog;
import dev.berth.http.RegistryApi;
import dev.berth.http.RequestLimits;
import dev.berth.http.RequestMetrics;
import dev.berth.http.ServerTls;
import dev.berth.mirror.EvictionRules;
import dev.berth.mirror.RepositoryRouter;
import dev.berth.observe.BerthMetrics;
import dev.berth.observe.Observability;
import dev.berth.registry.Evictor;
import dev.berth.registry.GarbageCollector;
import dev.berth.registry.LocalRegistry;
import dev.berth.storage.FileSystemStorage;
import dev.berth.upstream.UpstreamClient;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http2.Http2Config;
import java.lang.System.Logger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/** Wires berth from its configuration: storage, registry services, HTTP routing and the web server. */
public final class BerthServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(BerthServer.class.getName());
    private static final Duration PURGE_PERIOD = Duration.ofMinutes(10);
    private static final Duration GC_PERIOD = Duration.ofHours(1);
    private static final Duration BUDGET_PERIOD = Duration.ofMinutes(1);
    /** How long a stop waits for blob downloads under way: clients may have every byte of one not yet stored. */
    private static final Duration FILLS_AT_STOP = Duration.ofSeconds(10);

    private final WebServer server;
    private final ScheduledExecutorService housekeeping;
    private final BerthMetrics metrics;
    private final AccessIndex access;
    private final RepositoryRouter router;

    private BerthServer(WebServer server, ScheduledExecutorService housekeeping, BerthMetrics metrics,
                        AccessIndex access, RepositoryRouter router) {
        this.server = server;
        this.housekeeping = housekeeping;
        this.metrics = metrics;
        this.access = access;
        this.router = router;
    }

    /** Builds everything from {@code config} and starts listening. */
    public static BerthServer start(BerthConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** As {@link #start(BerthConfig)}, with the clock that tag TTLs, negative caching and upload expiry follow. */
    public static BerthServer start(BerthConfig config, Clock clock) {
        // First: certificate and htpasswd files that cannot serve stop berth before it touches the data directory.
        Optional<Tls> tls = config.server().tls().map(ServerTls::load);
        Optional<Accounts> accounts = config.auth().htpasswd().map(file -> HtpasswdAccounts.load(file, clock));
        FileSystemStorage storage = new FileSystemStorage(config.storage().root());
        storage.recover();
        LocalRegistry registry = new LocalRegistry(storage, config.limits().maxManifestBytes(),
                config.limits().maxUploadBytes());
        OkHttpClient upstreamConnections = new OkHttpClient();
        BerthMetrics metrics = new BerthMetrics();
        AccessIndex access = AccessIndex.load(storage, clock);
        EvictionRules rules = new EvictionRules(config, registry);
        Optional<Evictor> evictor = Optional.of(config.cache()).filter(BerthConfig.Cache::hasBudget)
                .map(cache -> registry.evictor(cache.maxBytes(), rules::isEvictable, rules::pinned,
                        access::lastAccess));
        evictor.ifPresent(e -> metrics.watchBudget(config.cache().maxBytes()));
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("berth-housekeeping").factory());
        DiskBudget budget = new DiskBudget(evictor, access, metrics, housekeeping);
        RepositoryRouter router = new RepositoryRouter(config, registry, upstream -> {
            UpstreamClient client = new UpstreamClient(upstream, upstreamConnections, clock, metrics);
            metrics.watchUpstream(upstream.registry(), client::rateLimitRemaining);
            return client;
        }, clock, access, budget::stored, metrics);
        metrics.watchBlobFills(router::blobFillsInFlight);
        Tokens tokens = new Tokens("berth", config.auth().tokenTtl(), clock);
        RegistryApi api = new RegistryApi(router, config.limits().maxManifestBytes(), config.auth(), accounts, tokens);

        Duration uploadTimeout = config.storage().uploadTimeout();
        housekeeping.scheduleWithFixedDelay(() -> purgeUploads(registry, uploadTimeout, clock),
                0, PURGE_PERIOD.toSeconds(), TimeUnit.SECONDS);
        GarbageCollector collector = registry.garbageCollector(config.cache().gcGrace(), clock);
        // Not at start, which stays quick however much is stored; soon enough that frequent restarts still collect.
        housekeeping.scheduleWithFixedDelay(() -> collectGarbage(collector, metrics),
                PURGE_PERIOD.toSeconds(), GC_PERIOD.toSeconds(), TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(budget,
                BUDGET_PERIOD.toSeconds(), BUDGET_PERIOD.toSeconds(), TimeUnit.SECONDS);

        WebServerConfig.Builder web = WebServer.builder()
                .host(config.server().host())
                .port(config.server().port())
                // Measured fastest for large blobs; a write queue above 1 would send buffers we reuse.
                .useNio(false)
                .writeBufferSize(0)
                .writeQueueLength(0)
                .shutdownHook(true)
                .addFeature(Observability.feature(storage::probeWrite, router::upstreamStates, clock))
                .routing(routing -> {
                    // Outermost first: the access log and the metrics see every answer, the limits' 429s included.
                    routing.addFilter(new AccessLog());
                    routing.addFilter(new RequestMetrics(metrics));
                    routing.addFilter(new RequestLimits(config.limits().maxRequests(),
                            config.limits().maxRequestsPerClient()));
                    api.register(routing);
                });
        // Protocols named rather than discovered: plain HTTP gets no h2c, which no registry client speaks (but Java's
        // HttpClient asks for by default); over TLS, clients choose HTTP/2 or HTTP/1.1 by ALPN.
        web.protocolsDiscoverServices(false).addProtocol(Http1Config.create());
        tls.ifPresent(serverTls -> web.tls(serverTls).addProtocol(Http2Config.builder()
                // With Helidon's default window of 1 MiB, uploads took ten times as long as over HTTP/1.1; with 8 MiB
                // they are level. It is what a client may send on a stream ahead of what berth has read.
                .initialWindowSize(8 * 1024 * 1024)
                .build()));
        WebServer server = web.build().start();
        BerthServer berth = new BerthServer(server, housekeeping, metrics, access, router);
        LOG.log(Logger.Level.INFO, startedLine(config, server.port(), tls.isPresent(), storage.root()));
        return berth;
    }

    /** What berth logs once it listens: where and how, where the data is, what it mirrors, whether it authenticates. */
    static String startedLine(BerthConfig config, int port, boolean https, Path dataDir) {
        return "berth listening on " + config.server().host() + ":" + port + (https ? " (HTTPS)" : " (plain HTTP)")
                + ", data in " + dataDir + ", " + describeMirror(config) + ", authentication "
                + config.auth().htpasswd().map(file -> "from " + file).orElse("off")
                + "; health at /observe/health, metrics at /observe/metrics";
    }

    private static String describeMirror(BerthConfig config) {
        if (config.mirror().upstreams().isEmpty()) {
            return "no upstreams: every repository is private";
        }
        String privateNames = config.privateRepos().repositories().isEmpty() ? "none"
                : String.join(", ", config.privateRepos().repositories());
        List<String> upstreams = config.mirror().upstreams().stream()
                .map(u -> u.registry() + " from " + u.url() + (u.isDefault() ? " (default)" : ""))
                .toList();
        return "mirroring " + String.join(", ", upstreams) + "; private: " + privateNames;
    }

    private static void purgeUploads(LocalRegistry registry, Duration maxAge, Clock clock) {
        try {
            int purged = registry.purgeUploads(maxAge, clock.instant());
            if (purged > 0) {
                LOG.log(Logger.Level.INFO, "removed " + purged + " uploads unfinished after " + maxAge);
            }
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "upload cleanup failed", e);
        }
    }

    private static void collectGarbage(GarbageCollector collector, BerthMetrics metrics) {
        try {
            GarbageCollector.Result result = collector.collect();
            metrics.collected(result.links(), result.blobs(), result.bytes());
            if (result.blobs() > 0 || result.links() > 0) {
                LOG.log(Logger.Level.INFO, "garbage collection removed " + result.links() + " unreferenced links and "
                        + result.blobs() + " blobs (" + result.bytes() + " bytes)");
            }
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "garbage collection failed", e);
        }
    }

    /** The port actually listened on (useful with port 0). */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        server.stop();
        metrics.close();
        try {
            // A round interrupted in the middle of saving the index leaves it to the save below, which must not overlap.
            housekeeping.awaitTermination(10, TimeUnit.SECONDS);
            if (!router.awaitBlobFills(FILLS_AT_STOP)) {
                LOG.log(Logger.Level.INFO, "stopping with blob downloads unfinished: the next pull fetches them again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // After the last request, so a restart evicts in the order this run left.
        access.save();
    }
}
