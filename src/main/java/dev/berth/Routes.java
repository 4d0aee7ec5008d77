package dev.berth;

import dev.berth.config.BerthConfig;
import dev.berth.fleet.PeerApi;
import dev.berth.http.AccessLog;
import dev.berth.http.BodyDeadlines;
import dev.berth.http.ConnectionLimits;
import dev.berth.http.ErrorResponses;
import dev.berth.http.HttpsRedirect;
import dev.berth.http.RegistryApi;
import dev.berth.http.RequestLimits;
import dev.berth.http.RequestMetrics;
import dev.berth.http.TrustedProxies;
import dev.berth.http.api.AdminApi;
import dev.berth.http.ui.WebPage;
import dev.berth.observe.BerthMetrics;
import dev.berth.observe.OneCacheControl;
import io.helidon.webserver.http.HttpRouting;
import java.util.function.IntSupplier;

/**
 * berth's route table, apart from building the server: every filter in its order, every mount and the error mapping
 * (as Helidon's examples keep {@code routing(HttpRouting.Builder)}); and the one route of the HTTPS redirect's
 * listener.
 */
final class Routes {
    private final BerthConfig config;
    private final ConnectionLimits connections;
    private final BodyDeadlines bodies;
    private final BerthMetrics metrics;
    private final RegistryApi registry;
    private final PeerApi peers;
    private final AdminApi admin;
    private final WebPage page;

    /** The routes of {@code config}'s listener, over the filters and services the assembly built. */
    Routes(BerthConfig config, ConnectionLimits connections, BodyDeadlines bodies, BerthMetrics metrics,
           RegistryApi registry, PeerApi peers, AdminApi admin, WebPage page) {
        this.config = config;
        this.connections = connections;
        this.bodies = bodies;
        this.metrics = metrics;
        this.registry = registry;
        this.peers = peers;
        this.admin = admin;
        this.page = page;
    }

    /** Registers the filters, the mounts and the error mapping of the main listener on {@code routing}. */
    void routing(HttpRouting.Builder routing) {
        // Outermost first. The connections' filter comes before all: a connection is busy until its answer is sent.
        // Then who the client is (behind a trusted proxy) before anything counts or logs it; the access log and the
        // metrics see every answer, the limits' 429s included.
        routing.addFilter(connections.filter());
        routing.addFilter(new TrustedProxies(config.auth().trustedProxies()));
        routing.addFilter(new AccessLog());
        routing.addFilter(new RequestMetrics(metrics));
        // Before the limits: the body of a request they refuse is drained, under the same pace.
        routing.addFilter(bodies);
        routing.addFilter(new RequestLimits(config.limits().maxRequests(), config.limits().maxRequestsPerClient()));
        routing.addFilter(new OneCacheControl());

        routing.register("/v2", registry);
        routing.register("/v1", registry.search());
        registry.tokenEndpoint().ifPresent(tokens -> routing.register("/auth", tokens));
        routing.register(PeerApi.PATH, peers);
        routing.register(AdminApi.PREFIX, admin);
        routing.register(WebPage.PREFIX, page);
        routing.get("/", WebPage::root);
        // /observe (health and metrics) is the observe feature's, which the server adds to every listener it builds.
        ErrorResponses.register(routing);
    }

    /**
     * The routing of {@code server.tls.redirect-port}'s listener: every request redirected to {@code tlsPort}, its
     * connections under
     * {@code connections}: caps of its own, closed at once past them, and the request-head timeout.
     */
    static void redirectRouting(HttpRouting.Builder routing, ConnectionLimits connections, IntSupplier tlsPort) {
        routing.addFilter(connections.filter());
        routing.any(new HttpsRedirect(tlsPort));
    }
}
