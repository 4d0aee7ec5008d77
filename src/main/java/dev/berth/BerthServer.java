package dev.berth;

import dev.berth.admin.AdminServices;
import dev.berth.admin.CacheStatistics;
import dev.berth.admin.CacheTally;
import dev.berth.admin.ImageActions;
import dev.berth.admin.RepositoryCatalog;
import dev.berth.admin.RoundHistory;
import dev.berth.admin.TagListing;
import dev.berth.auth.AccessRules;
import dev.berth.auth.Accounts;
import dev.berth.auth.Authenticator;
import dev.berth.auth.EndedSessions;
import dev.berth.auth.HtpasswdAccounts;
import dev.berth.auth.Logins;
import dev.berth.auth.Sessions;
import dev.berth.auth.ClusterSecret;
import dev.berth.auth.PeerSignature;
import dev.berth.auth.Tokens;
import dev.berth.budget.AccessIndex;
import dev.berth.budget.BudgetEvents;
import dev.berth.budget.DiskBudget;
import dev.berth.budget.EvictionRules;
import dev.berth.budget.Evictor;
import dev.berth.budget.PinStore;
import dev.berth.cluster.DnsMembership;
import dev.berth.cluster.Fleet;
import dev.berth.cluster.InstanceName;
import dev.berth.cluster.Membership;
import dev.berth.cluster.PeerClient;
import dev.berth.cluster.RoundGate;
import dev.berth.cluster.RoundGates;
import dev.berth.config.BerthConfig;
import dev.berth.http.AccessLog;
import dev.berth.http.BodyDeadlines;
import dev.berth.http.ConnectionLimits;
import dev.berth.http.CredentialsReader;
import dev.berth.http.HttpsRedirect;
import dev.berth.http.Listener;
import dev.berth.http.PeerApi;
import dev.berth.http.RegistryApi;
import dev.berth.http.RepositoryAccess;
import dev.berth.http.RequestLimits;
import dev.berth.http.RequestMetrics;
import dev.berth.http.ServerTls;
import dev.berth.http.TrustedProxies;
import dev.berth.http.api.AdminApi;
import dev.berth.http.api.ApiAccess;
import dev.berth.http.api.CacheResource;
import dev.berth.http.api.RepositoriesResource;
import dev.berth.http.api.WarmJobsResource;
import dev.berth.http.ui.WebPage;
import dev.berth.jobs.SyncSchedule;
import dev.berth.jobs.WarmJobs;
import dev.berth.mirror.Owners;
import dev.berth.mirror.MirrorEvents;
import dev.berth.mirror.RepositoryRouter;
import dev.berth.observe.BerthMetrics;
import dev.berth.observe.Observability;
import dev.berth.observe.OneCacheControl;
import dev.berth.registry.GarbageCollector;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.UploadLimits;
import dev.berth.storage.DataDirectoryLock;
import dev.berth.storage.Storage;
import dev.berth.upstream.UpstreamClient;
import io.helidon.common.socket.SocketOptions;
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
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;

/** Wires berth from its configuration: storage, registry services, HTTP routing and the web server. */
public final class BerthServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(BerthServer.class.getName());
    private static final Duration PURGE_PERIOD = Duration.ofMinutes(10);
    private static final Duration GC_PERIOD = Duration.ofHours(1);
    private static final Duration BUDGET_PERIOD = Duration.ofMinutes(1);
    /** How long a blob GET's presigned URL is valid: long enough to start a large download, short to pass around. */
    private static final Duration BLOB_REDIRECT_TTL = Duration.ofMinutes(10);
    /** How long a stop waits for blob downloads under way: clients may have every byte of one not yet stored. */
    private static final Duration FILLS_AT_STOP = Duration.ofSeconds(10);
    private static final Duration PEER_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Longer than an owner waits for a slow upstream's next bytes is not needed: it fails the stream itself then. */
    private static final Duration PEER_READ_TIMEOUT = Duration.ofSeconds(30);
    /** The name of server.tls.redirect-port's listener, whose connections carry one short request each. */
    private static final String REDIRECT_SOCKET = "https-redirect";
    private static final Duration REDIRECT_IDLE = Duration.ofSeconds(30);
    /**
     * Few are needed to answer redirects; a cap keeps clients that hold them open from using up file descriptors, and
     * a quarter of it per client keeps one client from holding them all.
     */
    private static final int REDIRECT_MAX_CONNECTIONS = 256;

    /** Null only when berth could not listen, for the close that follows. */
    private final Listener listener;
    private final ScheduledExecutorService housekeeping;
    private final BerthMetrics metrics;
    private final AccessIndex access;
    private final DataDirectoryLock lock;
    private final RepositoryRouter router;
    private final Fleet fleet;
    private final WarmJobs warmJobs;
    private final SyncSchedule sync;
    private final EndedSessions endedSessions;
    private final BodyDeadlines bodies;
    private final ConnectionLimits connections;
    private final ConnectionLimits redirectConnections;

    private BerthServer(Listener listener, ScheduledExecutorService housekeeping, BerthMetrics metrics,
                        AccessIndex access, DataDirectoryLock lock, RepositoryRouter router, Fleet fleet,
                        WarmJobs warmJobs, SyncSchedule sync, EndedSessions endedSessions, BodyDeadlines bodies,
                        ConnectionLimits connections, ConnectionLimits redirectConnections) {
        this.listener = listener;
        this.housekeeping = housekeeping;
        this.metrics = metrics;
        this.access = access;
        this.lock = lock;
        this.router = router;
        this.fleet = fleet;
        this.warmJobs = warmJobs;
        this.sync = sync;
        this.endedSessions = endedSessions;
        this.bodies = bodies;
        this.connections = connections;
        this.redirectConnections = redirectConnections;
    }

    /**
     * Builds everything from {@code config} and starts listening. A taken port or a data directory that another berth
     * holds is a {@link StartupFailure}; a file the configuration names that cannot serve, an IllegalArgumentException.
     */
    public static BerthServer start(BerthConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** As {@link #start(BerthConfig)}, with the clock that tag TTLs, negative caching and upload expiry follow. */
    public static BerthServer start(BerthConfig config, Clock clock) {
        // First: certificate and htpasswd files that cannot serve stop berth before it touches the data directory.
        Optional<Tls> tls = config.server().tls().map(ServerTls::load);
        Accounts accounts = config.auth().htpasswd().<Accounts>map(file -> HtpasswdAccounts.load(file, clock))
                .orElse(Accounts.NONE);
        PortCheck.requireFree(config.server().host(), config.server().port());
        redirectPort(config).ifPresent(port -> PortCheck.requireFree(config.server().host(), port,
                "server.tls.redirect-port"));
        // Before recover(), which clears the temporary files: they may be another berth's uploads in flight.
        DataDirectoryLock lock = lockDataDirectory(config.storage().root());
        try {
            return start(config, clock, tls, accounts, lock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static BerthServer start(BerthConfig config, Clock clock, Optional<Tls> tls, Accounts accounts,
                                     DataDirectoryLock lock) {
        String instance = InstanceName.of(config.cluster().flatMap(BerthConfig.Cluster::self), config.server().port());
        StorageFactory.OpenedStore store = StorageFactory.open(config.storage(), instance);
        Storage storage = store.storage();
        Optional<ClusterSecret> secret = clusterSecret(config, store.shared());
        Optional<PeerSignature> peerSignature = secret.map(key -> new PeerSignature(key, clock));
        Tokens tokens = tokens(secret, "tokens", "berth", config.auth().tokenTtl(), clock, accounts);
        EndedSessions endedSessions = new EndedSessions(storage, clock, Sessions.TTL);
        Sessions sessions = new Sessions(tokens(secret, "sessions", Sessions.SERVICE, Sessions.TTL, clock, accounts),
                endedSessions);
        storage.recover();
        UploadLimits uploadLimits = new UploadLimits(config.limits().maxUploadSessions(),
                config.limits().maxUploadSessionsPerClient());
        LocalRegistry registry = new LocalRegistry(storage, store.uploads(), config.limits().maxManifestBytes(),
                config.limits().maxUploadBytes(), config.storage().s3().filter(BerthConfig.S3::redirect)
                .map(s3 -> BLOB_REDIRECT_TTL), store.shared(), uploadLimits);
        OkHttpClient upstreamConnections = new OkHttpClient();
        BerthMetrics metrics = new BerthMetrics();
        Fleet fleet = fleet(config, store.shared(), peerSignature);
        AccessIndex access = store.shared() ? AccessIndex.loadShared(storage, clock, instance)
                : AccessIndex.load(storage, clock);
        RoundGate gate = store.conditionalWrites().map(cas -> RoundGates.forSharedStore(cas, instance,
                config.cluster().map(BerthConfig.Cluster::peers).orElse(List.of()),
                config.cluster().flatMap(BerthConfig.Cluster::self), clock)).orElse(RoundGate.alone());
        PinStore pins = new PinStore(storage);
        EvictionRules rules = new EvictionRules(config, registry, pins);
        // Without a budget, an evictor whose budget is never passed: its rounds only count what is mirrored, for the
        // metric.
        long budget = config.cache().hasBudget() ? config.cache().maxBytes() : Long.MAX_VALUE;
        Evictor evictor = new Evictor(registry, budget, rules::isEvictable, rules::pinned, access::lastAccess);
        if (config.cache().hasBudget()) {
            metrics.watchBudget(budget);
        }
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("berth-housekeeping").factory());
        RoundHistory rounds = new RoundHistory(clock);
        CacheTally tally = new CacheTally();
        DiskBudget diskBudget = new DiskBudget(evictor, access, BudgetEvents.both(metrics, rounds), housekeeping, gate);
        Map<String, UpstreamClient> clients = new ConcurrentHashMap<>();
        RepositoryRouter router = new RepositoryRouter(config, registry, upstream -> {
            UpstreamClient client = new UpstreamClient(upstream, upstreamConnections, clock, metrics);
            metrics.watchUpstream(upstream.registry(), client::rateLimitRemaining);
            clients.put(upstream.registry(), client);
            return client;
        }, clock, access, diskBudget::stored, MirrorEvents.both(metrics, tally), new Owners(fleet, metrics));
        metrics.watchBlobFills(router::blobFillsInFlight);
        AdminServices services = adminServices(config, registry, router, access, pins, tally, rounds, clients, clock);
        // One reader of credentials and one rules object for the registry API, search, the token endpoint, the admin
        // API and the page.
        CredentialsReader credentials = new CredentialsReader(config.auth(),
                new Authenticator(new Logins(accounts), tokens, sessions));
        RepositoryAccess accessRules = new RepositoryAccess(new AccessRules(config.auth()), router);
        RegistryApi api = new RegistryApi(router, config.limits().maxManifestBytes(), config.auth(), credentials, tokens,
                accessRules);
        PeerApi peerApi = new PeerApi(router, peerSignature);
        WarmJobs warmJobs = new WarmJobs(router::ahead, clock);
        SyncSchedule sync;
        try {
            sync = new SyncSchedule(config.mirror().sync(), router::ahead, gate, clock, metrics);
        } catch (IllegalArgumentException e) {
            // A sync entry no upstream serves: the meters registered so far would outlive this attempt.
            metrics.close();
            housekeeping.shutdownNow();
            throw e;
        }
        AdminApi admin = new AdminApi(new ApiAccess(config.auth(), credentials, accessRules), List.of(
                new RepositoriesResource(services.repositories(), services.tags(), services.images()),
                new CacheResource(services.statistics()), new WarmJobsResource(warmJobs)));
        WebPage page = new WebPage(credentials, sessions);

        Duration uploadTimeout = config.storage().uploadTimeout();
        housekeeping.scheduleWithFixedDelay(() -> purgeUploads(registry, uploadTimeout, clock),
                0, PURGE_PERIOD.toSeconds(), TimeUnit.SECONDS);
        GarbageCollector collector = registry.garbageCollector(config.cache().gcGrace(), clock);
        // Not at start, which stays quick however much is stored; soon enough that frequent restarts still collect.
        housekeeping.scheduleWithFixedDelay(() -> gate.runIfMine("gc", () -> collectGarbage(collector, metrics, rounds)),
                PURGE_PERIOD.toSeconds(), GC_PERIOD.toSeconds(), TimeUnit.SECONDS);
        // Without a budget a round only counts what is mirrored, for the metric: on a shared bucket that walk costs a
        // request per blob, so it comes with the collection there; the access records are still saved every minute.
        Duration countEvery = config.cache().hasBudget() || !store.shared() ? BUDGET_PERIOD : GC_PERIOD;
        housekeeping.scheduleWithFixedDelay(diskBudget,
                BUDGET_PERIOD.toSeconds(), countEvery.toSeconds(), TimeUnit.SECONDS);
        if (!countEvery.equals(BUDGET_PERIOD)) {
            housekeeping.scheduleWithFixedDelay(() -> saveAccessRecords(access),
                    BUDGET_PERIOD.toSeconds(), BUDGET_PERIOD.toSeconds(), TimeUnit.SECONDS);
        }

        BodyDeadlines bodies = new BodyDeadlines(config.limits().bodyTimeout(), config.limits().bodyMinRate());
        ConnectionLimits connections = ConnectionLimits.of(config.limits());
        metrics.watchConnections(connections::openConnections);
        WebServerConfig.Builder web = WebServer.builder()
                .host(config.server().host())
                .port(config.server().port())
                // Admits each connection it accepts, or closes it at once past the caps; berth's own bounds on idle
                // connections and request heads close the others (Helidon's idle timeout stays a backstop).
                .connectionOptions(connections.socketOptions(SocketOptions.create()))
                // Measured fastest for large blobs; a write queue above 1 would send buffers we reuse.
                .useNio(false)
                .writeBufferSize(0)
                .writeQueueLength(0)
                .shutdownHook(true)
                .addFeature(Observability.feature(store.probe(), router::upstreamStates, clock))
                .routing(routing -> {
                    // Outermost first. The connections' filter comes before all: a connection is busy until its answer is
                    // sent. Then who the client is (behind a trusted proxy) before anything counts or logs it; the access
                    // log and the metrics see every answer, the limits' 429s included.
                    routing.addFilter(connections.filter());
                    routing.addFilter(new TrustedProxies(config.auth().trustedProxies()));
                    routing.addFilter(new AccessLog());
                    routing.addFilter(new RequestMetrics(metrics));
                    // Before the limits: the body of a request they refuse is drained, under the same pace.
                    routing.addFilter(bodies);
                    routing.addFilter(new RequestLimits(config.limits().maxRequests(),
                            config.limits().maxRequestsPerClient()));
                    routing.addFilter(new OneCacheControl());
                    api.register(routing);
                    peerApi.register(routing);
                    admin.register(routing);
                    page.register(routing);
                });
        // Protocols named rather than discovered: plain HTTP gets no h2c, which no registry client speaks (but Java's
        // HttpClient asks for by default); over TLS, clients choose HTTP/2 or HTTP/1.1 by ALPN.
        web.protocolsDiscoverServices(false).addProtocol(Http1Config.create());
        tls.ifPresent(serverTls -> web.tls(serverTls).addProtocol(Http2Config.builder()
                // With Helidon's default window of 1 MiB, uploads took ten times as long as over HTTP/1.1; with 8 MiB
                // they are level. It is what a client may send on a stream ahead of what berth has read.
                .initialWindowSize(8 * 1024 * 1024)
                .build()));
        if (config.auth().enabled()) {
            // Before the first request: a session signed out before a restart stays signed out.
            endedSessions.start();
        }
        // The TLS port as listened on (server.port may be 0), for the redirect listener's Location.
        AtomicInteger tlsPort = new AtomicInteger(config.server().port());
        // Bounded as the main port is, closed at once past a cap and after the head timeout: Helidon's own cap makes
        // new connections wait for a free place, and its idle timeout does not see a head sent a byte at a time.
        ConnectionLimits redirectConnections = new ConnectionLimits(REDIRECT_MAX_CONNECTIONS,
                REDIRECT_MAX_CONNECTIONS / 4, config.limits().requestHeadTimeout(), REDIRECT_IDLE);
        redirectPort(config).ifPresent(port -> web.putSocket(REDIRECT_SOCKET, socket -> socket
                .host(config.server().host())
                .port(port)
                .writeQueueLength(0)
                .connectionOptions(redirectConnections.socketOptions(SocketOptions.create()))
                .protocolsDiscoverServices(false)
                .addProtocol(Http1Config.create())
                .routing(routing -> {
                    routing.addFilter(redirectConnections.filter());
                    new HttpsRedirect(tlsPort::get).register(routing);
                })));
        // When the listener ends on an error, a new server from the same builder takes the port the first one had.
        Optional<Listener> listener = Listener.start(port -> web.port(port).build(), config.server().host(),
                config.server().port());
        listener.ifPresent(l -> tlsPort.set(l.port()));
        BerthServer berth = new BerthServer(listener.orElse(null), housekeeping, metrics, access, lock, router, fleet,
                warmJobs, sync, endedSessions, bodies, connections,
                redirectConnections);
        if (listener.isEmpty()) {
            // The port was taken between the check and the bind; the web server has logged why.
            berth.close();
            throw new StartupFailure("server.port " + config.server().port() + ": cannot listen (see the error above)");
        }
        int port = listener.get().port();
        if (fleet.client() != null) {
            fleet.start(port);
            metrics.watchFleet(fleet::liveCount);
        }
        LOG.log(Logger.Level.INFO, startedLine(config, port, tls.isPresent(), store.where()));
        aloneOnASharedStore(config, store.shared()).ifPresent(warning -> LOG.log(Logger.Level.WARNING, warning));
        sync.start();
        return berth;
    }

    /** The services of the admin API and the web page, over what the registry and the mirror keep and count. */
    private static AdminServices adminServices(BerthConfig config, LocalRegistry registry, RepositoryRouter router,
                                               AccessIndex access, PinStore pins, CacheTally tally,
                                               RoundHistory rounds,
                                               Map<String, UpstreamClient> clients, Clock clock) {
        RepositoryCatalog catalog = new RepositoryCatalog(registry::catalog, router::mirroredFrom, clock);
        OptionalLong budget = config.cache().hasBudget() ? OptionalLong.of(config.cache().maxBytes())
                : OptionalLong.empty();
        CacheStatistics statistics = new CacheStatistics(tally, rounds, budget, router::upstreamStates,
                upstream -> Optional.ofNullable(clients.get(upstream)).map(UpstreamClient::rateLimitRemaining)
                        .orElse(OptionalLong.empty()));
        return new AdminServices(catalog, new TagListing(registry, pins, access::lastAccess), statistics,
                new ImageActions(registry, pins, catalog));
    }

    /** What berth logs once it listens: where and how, where the data is, what it mirrors, whether it authenticates. */
    static String startedLine(BerthConfig config, int port, boolean https, String where) {
        String redirect = redirectPort(config).map(p -> ", plain HTTP on port " + p + " redirected to it").orElse("");
        return "berth listening on " + config.server().host() + ":" + port
                + (https ? " (HTTPS" + redirect + ")" : " (plain HTTP)")
                + ", " + where + ", " + describeMirror(config) + ", authentication "
                + config.auth().htpasswd().map(file -> "from " + file).orElse("off")
                + "; the web page at /ui/, health at /observe/health, metrics at /observe/metrics";
    }

    /**
     * What berth warns of at start on a bucket that other instances may share when it knows of none: each then fetches
     * a cold blob from the upstream itself, which nothing else would tell the operator.
     */
    static Optional<String> aloneOnASharedStore(BerthConfig config, boolean sharedStore) {
        boolean peers = config.cluster().filter(c -> !c.peers().isEmpty() || c.peersDns().isPresent()).isPresent();
        if (!sharedStore || peers) {
            return Optional.empty();
        }
        return Optional.of("storage.s3 without cluster.peers or cluster.peers-dns: every instance on this bucket"
                + " fetches from the upstream on its own (a cold blob once per instance). To have them fetch for each"
                + " other, list every instance in cluster.peers (or set cluster.peers-dns to a name that resolves to"
                + " all of them, such as http://tasks.berth:5000 in a swarm) and give them the same"
                + " cluster.secret-file");
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

    /**
     * The key file of {@code cluster.secret-file}, read once; required where instances share a bucket and have logins,
     * since each must accept the others' tokens.
     */
    private static Optional<ClusterSecret> clusterSecret(BerthConfig config, boolean sharedStore) {
        Optional<Path> secretFile = config.cluster().flatMap(BerthConfig.Cluster::secretFile);
        if (secretFile.isEmpty() && sharedStore && config.auth().enabled()) {
            throw new IllegalArgumentException("storage.s3 with auth.htpasswd needs cluster.secret-file: instances"
                    + " sharing a bucket must accept each other's tokens (make one with: head -c 32 /dev/urandom"
                    + " | base64 > /etc/berth/cluster.key, the same file on every instance)");
        }
        return secretFile.map(ClusterSecret::load);
    }

    /** Tokens for {@code purpose}, signed with the cluster secret's key for it, else with a key of this process. */
    private static Tokens tokens(Optional<ClusterSecret> secret, String purpose, String service, Duration ttl,
                                 Clock clock, Accounts accounts) {
        return secret.map(key -> new Tokens(service, key.key(purpose), ttl, clock, accounts))
                .orElseGet(() -> new Tokens(service, ttl, clock, accounts));
    }

    /**
     * The instances that fetch for each other: those of {@code cluster.peers} or {@code cluster.peers-dns}, where they
     * share a store and a secret to sign their requests with; else this instance alone.
     */
    private static Fleet fleet(BerthConfig config, boolean sharedStore, Optional<PeerSignature> signature) {
        Optional<BerthConfig.Cluster> cluster = config.cluster();
        Optional<Membership> members = cluster.flatMap(c -> c.peersDns().<Membership>map(DnsMembership::system)
                .or(() -> c.peers().size() > 1 ? Optional.of(Membership.of(c.peers())) : Optional.empty()));
        if (members.isEmpty()) {
            return Fleet.alone();
        }
        if (!sharedStore || signature.isEmpty()) {
            LOG.log(Logger.Level.WARNING, "the instances of cluster.peers fetch each from the upstream: fetching for"
                    + " each other needs a store they share (storage.s3) and cluster.secret-file");
            return Fleet.alone();
        }
        PeerClient client = new PeerClient(signature.get(), PEER_CONNECT_TIMEOUT, PEER_READ_TIMEOUT);
        return Fleet.of(members.get(), cluster.get().self(), config.server().host(), client);
    }

    private static DataDirectoryLock lockDataDirectory(Path root) {
        try {
            return DataDirectoryLock.acquire(root);
        } catch (DataDirectoryLock.InUse e) {
            throw new StartupFailure(e.getMessage());
        }
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

    private static void saveAccessRecords(AccessIndex access) {
        try {
            access.save();
        } catch (RuntimeException e) {
            // Caught so that the scheduler runs the next save, which tries again.
            LOG.log(Logger.Level.WARNING, "saving the access records failed: " + e.getMessage());
        }
    }

    private static void collectGarbage(GarbageCollector collector, BerthMetrics metrics, RoundHistory rounds) {
        try {
            GarbageCollector.Result result = collector.collect();
            metrics.collected(result.links(), result.blobs(), result.bytes());
            rounds.collected(result.links(), result.blobs(), result.bytes());
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
        return listener.port();
    }

    /** The port of {@code server.tls.redirect-port}'s listener as listened on, if there is one. */
    public OptionalInt redirectPort() {
        int port = listener.port(REDIRECT_SOCKET);
        return port < 0 ? OptionalInt.empty() : OptionalInt.of(port);
    }

    private static Optional<Integer> redirectPort(BerthConfig config) {
        return config.server().tls().map(BerthConfig.Tls::redirectPort).filter(OptionalInt::isPresent)
                .map(OptionalInt::getAsInt);
    }

    @Override
    public void close() {
        fleet.close();
        warmJobs.close();
        sync.close();
        endedSessions.close();
        housekeeping.shutdownNow();
        if (listener != null) {
            listener.close();
        }
        bodies.close();
        connections.close();
        redirectConnections.close();
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
        lock.close();
    }
}
