package dev.berth;

import dev.berth.admin.AdminServices;
import dev.berth.admin.CacheStatistics;
import dev.berth.admin.CacheTally;
import dev.berth.admin.ImageActions;
import dev.berth.admin.RepositoryCatalog;
import dev.berth.admin.RoundHistory;
import dev.berth.admin.TagListing;
import dev.berth.auth.AccessRules;
import dev.berth.auth.AccessTokens;
import dev.berth.auth.Accounts;
import dev.berth.auth.Authenticator;
import dev.berth.auth.CallerAccess;
import dev.berth.auth.ClusterSecret;
import dev.berth.auth.DirectoryAccounts;
import dev.berth.auth.EndedSessions;
import dev.berth.auth.HtpasswdAccounts;
import dev.berth.auth.LayeredAccounts;
import dev.berth.auth.Logins;
import dev.berth.auth.ProviderAccounts;
import dev.berth.auth.Sessions;
import dev.berth.auth.Tokens;
import dev.berth.budget.AccessIndex;
import dev.berth.budget.BudgetEvents;
import dev.berth.budget.DiskBudget;
import dev.berth.budget.EvictionRules;
import dev.berth.budget.Evictor;
import dev.berth.budget.PinStore;
import dev.berth.cluster.InstanceName;
import dev.berth.cluster.RoundGate;
import dev.berth.cluster.RoundGates;
import dev.berth.config.BerthConfig;
import dev.berth.events.AuditOutput;
import dev.berth.events.EventSetup;
import dev.berth.fleet.FleetSetup;
import dev.berth.fleet.PeerApi;
import dev.berth.http.Acts;
import dev.berth.http.BodyDeadlines;
import dev.berth.http.ConnectionLimits;
import dev.berth.http.CredentialsReader;
import dev.berth.http.Listener;
import dev.berth.http.RegistryApi;
import dev.berth.http.RepositoryAccess;
import dev.berth.http.ServerTls;
import dev.berth.http.api.AdminApi;
import dev.berth.http.api.ApiAccess;
import dev.berth.http.api.AuditResource;
import dev.berth.http.api.CacheResource;
import dev.berth.http.api.RepositoriesResource;
import dev.berth.http.api.RetentionResource;
import dev.berth.http.api.TokensResource;
import dev.berth.http.api.WarmJobsResource;
import dev.berth.http.ui.WebPage;
import dev.berth.sso.SingleSignOn;
import dev.berth.jobs.SyncSchedule;
import dev.berth.jobs.WarmJobs;
import dev.berth.mirror.MirrorEvents;
import dev.berth.mirror.MirrorService;
import dev.berth.mirror.RepositoryRouter;
import dev.berth.observe.BerthMetrics;
import dev.berth.observe.Observability;
import dev.berth.registry.GarbageCollector;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.UploadLimits;
import dev.berth.retention.ImmutableRules;
import dev.berth.retention.Retention;
import dev.berth.storage.DataDirectoryLock;
import dev.berth.storage.Storage;
import dev.berth.trust.PolicyRules;
import dev.berth.trust.SignaturePolicy;
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
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;

/** Wires berth from its configuration: storage, registry services, HTTP routing and the web server. */
public final class BerthServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(BerthServer.class.getName());
    /** How long a blob GET's presigned URL is valid: long enough to start a large download, short to pass around. */
    private static final Duration BLOB_REDIRECT_TTL = Duration.ofMinutes(10);
    /** How long a stop waits for blob downloads under way: clients may have every byte of one not yet stored. */
    private static final Duration FILLS_AT_STOP = Duration.ofSeconds(10);
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
    private final Housekeeping housekeeping;
    private final BerthMetrics metrics;
    private final AccessIndex access;
    private final DataDirectoryLock lock;
    private final MirrorService mirror;
    private final FleetSetup fleet;
    private final WarmJobs warmJobs;
    private final SyncSchedule sync;
    private final BodyDeadlines bodies;
    private final ConnectionLimits connections;
    private final ConnectionLimits redirectConnections;
    private final EventSetup events;

    private BerthServer(Listener listener, Housekeeping housekeeping, BerthMetrics metrics,
                        AccessIndex access, DataDirectoryLock lock, MirrorService mirror, FleetSetup fleet,
                        WarmJobs warmJobs, SyncSchedule sync, BodyDeadlines bodies,
                        ConnectionLimits connections, ConnectionLimits redirectConnections, EventSetup events) {
        this.listener = listener;
        this.housekeeping = housekeeping;
        this.metrics = metrics;
        this.access = access;
        this.lock = lock;
        this.mirror = mirror;
        this.fleet = fleet;
        this.warmJobs = warmJobs;
        this.sync = sync;
        this.bodies = bodies;
        this.connections = connections;
        this.redirectConnections = redirectConnections;
        this.events = events;
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
        // First: certificate, htpasswd and directory settings that cannot serve stop berth before it touches the data
        // directory.
        Optional<Tls> tls = config.server().tls().map(ServerTls::load);
        Accounts accounts = accounts(config.auth(), clock);
        PolicyRules policy = PolicyRules.load(config.policy());
        PortCheck.requireFree(config.server().host(), config.server().port());
        redirectPort(config).ifPresent(port -> PortCheck.requireFree(config.server().host(), port,
                "server.tls.redirect-port"));
        // Before recover(), which clears the temporary files: they may be another berth's uploads in flight.
        DataDirectoryLock lock = lockDataDirectory(config.storage().root());
        DigestWarmUp.start();
        Optional<AuditOutput> audit = Optional.empty();
        try {
            audit = openAudit(config);
            return start(config, clock, tls, accounts, policy, audit, lock);
        } catch (RuntimeException e) {
            lock.close();
            audit.ifPresent(BerthServer::closeQuietly);
            throw e;
        }
    }

    /** The audit trail's output, opened before anything serves: a path berth cannot write stops it, naming the path. */
    private static Optional<AuditOutput> openAudit(BerthConfig config) {
        try {
            return config.audit().path().map(AuditOutput::open);
        } catch (IllegalArgumentException e) {
            throw new StartupFailure(e.getMessage());
        }
    }

    private static void closeQuietly(AuditOutput output) {
        try {
            output.close();
        } catch (java.io.IOException e) {
            LOG.log(Logger.Level.WARNING, "closing the audit trail: " + e.getMessage());
        }
    }

    /** The accounts of {@code auth.htpasswd} and {@code auth.ldap}: a name the file knows is checked there first. */
    private static Accounts accounts(BerthConfig.Auth auth, Clock clock) {
        Optional<Accounts> file = auth.htpasswd().map(path -> HtpasswdAccounts.load(path, clock));
        Optional<Accounts> directory = auth.ldap().map(ldap -> DirectoryAccounts.of(ldap, clock));
        if (file.isPresent() && directory.isPresent()) {
            return new LayeredAccounts(file.get(), directory.get());
        }
        return file.or(() -> directory).orElse(Accounts.NONE);
    }

    private static BerthServer start(BerthConfig config, Clock clock, Optional<Tls> tls, Accounts accounts,
                                     PolicyRules policyRules, Optional<AuditOutput> audit,
                                     DataDirectoryLock lock) {
        String instance = InstanceName.of(config.cluster().flatMap(BerthConfig.Cluster::self), config.server().port());
        StorageFactory.OpenedStore store = StorageFactory.open(config.storage(), instance);
        Storage storage = store.storage();
        SigningKeys keys = SigningKeys.of(config, store.shared());
        Optional<ClusterSecret> secret = keys.clusterSecret();
        AccessRules authRules = new AccessRules(config.auth());
        // A session of a provider's user belongs to the provider (ProviderAccounts says why), as do their tokens.
        Accounts sessionAccounts = config.auth().oidc().<Accounts>map(oidc -> new ProviderAccounts(accounts,
                oidc.issuer().toString(), oidc.clientId())).orElse(accounts);
        AccessTokens accessTokens = new AccessTokens(storage, clock, accounts, sessionAccounts, authRules);
        Tokens tokens = keys.tokens("tokens", "berth", config.auth().tokenTtl(), clock, accounts, accessTokens);
        EndedSessions endedSessions = new EndedSessions(storage, clock, Sessions.TTL);
        Sessions sessions = new Sessions(keys.tokens("sessions", Sessions.SERVICE, Sessions.TTL, clock,
                sessionAccounts), endedSessions);
        Optional<SingleSignOn> sso = config.auth().oidc().map(oidc -> new SingleSignOn(oidc, accounts,
                config.auth().ruleGroups(), keys.key("sign-ins"), clock));
        storage.recover();
        UploadLimits uploadLimits = new UploadLimits(config.limits().maxUploadSessions(),
                config.limits().maxUploadSessionsPerClient());
        ImmutableRules immutable = new ImmutableRules(config.immutable());
        LocalRegistry registry = new LocalRegistry(storage, store.uploads(), config.limits().maxManifestBytes(),
                config.limits().maxUploadBytes(), config.storage().s3().filter(BerthConfig.S3::redirect)
                .map(s3 -> BLOB_REDIRECT_TTL), store.shared(), uploadLimits, immutable);
        OkHttpClient upstreamConnections = new OkHttpClient();
        BerthMetrics metrics = new BerthMetrics();
        store.hotTier().ifPresent(tier -> metrics.watchHotTier(tier::hits, tier::misses, tier::bytes));
        FleetSetup fleet = FleetSetup.from(config, store.shared(), secret, clock, metrics);
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
        Housekeeping housekeeping = new Housekeeping(gate);
        RoundHistory rounds = new RoundHistory(clock);
        CacheTally tally = new CacheTally();
        DiskBudget diskBudget = new DiskBudget(evictor, access, BudgetEvents.both(metrics, rounds),
                housekeeping.budgetRounds(), housekeeping.gate());
        Map<String, UpstreamClient> clients = new ConcurrentHashMap<>();
        MirrorService mirror = new MirrorService(config, registry, upstream -> {
            UpstreamClient client = new UpstreamClient(upstream, upstreamConnections, clock, metrics);
            metrics.watchUpstream(upstream.registry(), client::rateLimitRemaining);
            clients.put(upstream.registry(), client);
            return client;
        }, clock, access, diskBudget::stored, MirrorEvents.both(metrics, tally), fleet.owners());
        RepositoryRouter router = mirror.router();
        SignaturePolicy policy = new SignaturePolicy(policyRules, config.mirror(), mirror::mirroredFrom, metrics);
        if (!policyRules.rules().isEmpty()) {
            metrics.watchPolicy();
        }
        metrics.watchBlobFills(mirror::blobFillsInFlight);
        AdminServices services = adminServices(config, registry, mirror, access, pins, tally, rounds, clients, policy,
                clock);
        // One reader of credentials and one rules object for the registry API, search, the token endpoint, the admin
        // API and the page.
        Logins logins = new Logins(accounts, accessTokens);
        CredentialsReader credentials = new CredentialsReader(config.auth(), new Authenticator(logins, tokens, sessions));
        CallerAccess callers = new CallerAccess(new UpstreamLoginsOfMirror(mirror), logins, clock);
        RepositoryAccess accessRules = new RepositoryAccess(authRules, router, callers);
        EventSetup events = EventSetup.start(config, audit, metrics, clock);
        Acts acts = new Acts(events.events(), clock);
        RegistryApi api = new RegistryApi(router, config.limits().maxManifestBytes(), config.auth(), credentials, tokens,
                accessRules, callers, policy, acts);
        PeerApi peerApi = fleet.endpoint(mirror);
        WarmJobs warmJobs = new WarmJobs(mirror::ahead, clock);
        SyncSchedule sync;
        try {
            sync = new SyncSchedule(config.mirror().sync(), mirror::ahead, housekeeping.gate(), clock, metrics);
        } catch (IllegalArgumentException e) {
            // A sync entry no upstream serves: the meters registered so far would outlive this attempt.
            metrics.close();
            housekeeping.close();
            events.close();
            throw e;
        }
        GarbageCollector collector = registry.garbageCollector(config.cache().gcGrace(), clock);
        // A stored name that no upstream's cache holds is private: retention never touches a mirror's cache.
        Retention retention = new Retention(registry, name -> mirror.mirroredFrom(name).isEmpty(), config.retention(),
                immutable, new RetentionRemovalsReported(events.events(), clock), clock, housekeeping.retentionRounds(), housekeeping.gate(),
                housekeeping.collection(collector, metrics, rounds));
        AdminApi admin = new AdminApi(new ApiAccess(config.auth(), credentials, accessRules), List.of(
                new RepositoriesResource(services.repositories(), services.tags(), services.images(), acts),
                new CacheResource(services.statistics()), new WarmJobsResource(warmJobs, acts),
                new RetentionResource(retention), new TokensResource(accessTokens, acts), new AuditResource(events.audit())));
        WebPage page = new WebPage(credentials, sessions, sso, acts);

        housekeeping.purgeUploads(registry, config.storage().uploadTimeout(), clock);
        housekeeping.collectGarbage(collector, metrics, rounds);
        housekeeping.retain(retention);
        // Without a budget a round only counts what is mirrored, for the metric: on a shared bucket that walk costs a
        // request per blob, so it comes with the collection there.
        housekeeping.keepBudget(diskBudget, access, !config.cache().hasBudget() && store.shared());

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
                .addFeature(Observability.feature(store.probe(), mirror::upstreamStates, clock))
                .routing(new Routes(config, connections, bodies, metrics, api, peerApi, admin, page)::routing);
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
            housekeeping.refresh(endedSessions);
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
                .routing(routing -> Routes.redirectRouting(routing, redirectConnections, tlsPort::get))));
        // When the listener ends on an error, a new server from the same builder takes the port the first one had.
        Optional<Listener> listener = Listener.start(port -> web.port(port).build(), config.server().host(),
                config.server().port());
        listener.ifPresent(l -> tlsPort.set(l.port()));
        BerthServer berth = new BerthServer(listener.orElse(null), housekeeping, metrics, access, lock, mirror, fleet,
                warmJobs, sync, bodies, connections, redirectConnections, events);
        if (listener.isEmpty()) {
            // The port was taken between the check and the bind; the web server has logged why.
            berth.close();
            throw new StartupFailure("server.port " + config.server().port() + ": cannot listen (see the error above)");
        }
        int port = listener.get().port();
        if (fleet.start(port)) {
            metrics.watchFleet(fleet::liveCount);
        }
        LOG.log(Logger.Level.INFO, StartupLog.startedLine(config, port, tls.isPresent(), store.where()));
        StartupLog.aloneOnASharedStore(config, store.shared())
                .ifPresent(warning -> LOG.log(Logger.Level.WARNING, warning));
        housekeeping.sync(sync);
        return berth;
    }

    /** The services of the admin API and the web page, over what the registry and the mirror keep and count. */
    private static AdminServices adminServices(BerthConfig config, LocalRegistry registry, MirrorService mirror,
                                               AccessIndex access, PinStore pins, CacheTally tally,
                                               RoundHistory rounds,
                                               Map<String, UpstreamClient> clients, SignaturePolicy policy,
                                               Clock clock) {
        RepositoryCatalog catalog = new RepositoryCatalog(registry::catalog, mirror::mirroredFrom, clock);
        OptionalLong budget = config.cache().hasBudget() ? OptionalLong.of(config.cache().maxBytes())
                : OptionalLong.empty();
        CacheStatistics statistics = new CacheStatistics(tally, rounds, budget, mirror::upstreamStates,
                upstream -> Optional.ofNullable(clients.get(upstream)).map(UpstreamClient::rateLimitRemaining)
                        .orElse(OptionalLong.empty()));
        return new AdminServices(catalog, new TagListing(registry, pins, access::lastAccess, policy::state), statistics,
                new ImageActions(registry, pins, catalog));
    }

    private static DataDirectoryLock lockDataDirectory(Path root) {
        try {
            return DataDirectoryLock.acquire(root);
        } catch (DataDirectoryLock.InUse e) {
            throw new StartupFailure(e.getMessage());
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

    /** The port {@code server.tls.redirect-port} names, if any. */
    static Optional<Integer> redirectPort(BerthConfig config) {
        return config.server().tls().map(BerthConfig.Tls::redirectPort).filter(OptionalInt::isPresent)
                .map(OptionalInt::getAsInt);
    }

    @Override
    public void close() {
        fleet.close();
        warmJobs.close();
        sync.close();
        housekeeping.close();
        if (listener != null) {
            listener.close();
        }
        bodies.close();
        connections.close();
        redirectConnections.close();
        // After the last request: what was reported goes to disk (notifications) and out (the audit's last lines).
        events.close();
        metrics.close();
        try {
            // A round interrupted in the middle of saving the index leaves it to the save below, which must not overlap.
            housekeeping.awaitStoreRounds(Duration.ofSeconds(10));
            if (!mirror.awaitBlobFills(FILLS_AT_STOP)) {
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
