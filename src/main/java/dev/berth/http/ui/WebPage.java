package dev.berth.http.ui;

import dev.berth.auth.AccountsUnavailable;
import dev.berth.auth.Caller;
import dev.berth.auth.Credentials;
import dev.berth.auth.CredentialsRefused;
import dev.berth.auth.Sessions;
import dev.berth.http.Acts;
import dev.berth.http.CredentialsReader;
import dev.berth.http.RequestClient;
import dev.berth.http.SameOrigin;
import dev.berth.sso.SingleSignOn;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The web page at {@code /ui/}: a small static app over the admin API, served from the jar, and its sign-in and
 * sign-out, which set and clear the session cookie (and, with {@code auth.oidc}, the sign-in through the provider:
 * {@link SignInThroughProvider}). A browser that opens {@code /} is sent here.
 */
public final class WebPage implements HttpService {
    /** Where the page lives. */
    public static final String PREFIX = "/ui";
    private static final int MAX_FORM = 4096;
    private static final String SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'; form-action 'self'";

    private final PageFiles files = PageFiles.load();
    private final CredentialsReader credentials;
    private final Sessions sessions;
    private final Optional<SignInThroughProvider> provider;
    private final String securityPolicy;
    private final Acts acts;

    /**
     * The page; when {@code credentials} has logins ({@code auth.htpasswd}), browsers sign in to a session, and also
     * through {@code sso} ({@code auth.oidc}). Sign-ins, refused ones too, are reported to {@code acts}.
     */
    public WebPage(CredentialsReader credentials, Sessions sessions, Optional<SingleSignOn> sso, Acts acts) {
        this.credentials = credentials;
        this.sessions = sessions;
        this.acts = acts;
        this.provider = sso.map(s -> new SignInThroughProvider(s, sessions, acts));
        // Signing out is a form whose answer may lead to the provider's sign-out.
        this.securityPolicy = SECURITY_POLICY + sso.map(s -> " " + s.origin()).orElse("");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> file("index.html", res));
        rules.get("/{file}", (req, res) -> file(req.path().pathParameters().get("file"), res));
        rules.post("/login", this::login);
        rules.post("/logout", this::logout);
        provider.ifPresent(p -> {
            rules.get("/sso/start", p::start);
            rules.get(SignInThroughProvider.CALLBACK, p::callback);
        });
        rules.any((req, res) -> text(res, Status.NOT_FOUND_404, "no such page"));
    }

    /** {@code /}: browsers (which ask for HTML) go to the page; registry clients never ask for it. */
    public static void root(ServerRequest req, ServerResponse res) {
        boolean browser = req.headers().first(HeaderNames.ACCEPT).map(a -> a.contains("text/html")).orElse(false);
        if (browser) {
            res.status(Status.SEE_OTHER_303).header(HeaderNames.LOCATION, PREFIX + "/").send();
        } else {
            text(res, Status.NOT_FOUND_404, "berth: the registry API is under /v2/, the web page under /ui/");
        }
    }

    private void file(String name, ServerResponse res) {
        Optional<PageFiles.File> file = files.get(name);
        if (file.isEmpty()) {
            text(res, Status.NOT_FOUND_404, "no such page");
            return;
        }
        secure(res);
        res.header(HeaderNames.CONTENT_TYPE, file.get().mediaType());
        // Small files, asked again on each visit: an upgrade of berth shows at once.
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(file.get().bytes());
    }

    /** The sign-in form: a session cookie and back to the page, or back to the form saying it failed. */
    private void login(ServerRequest req, ServerResponse res) throws IOException {
        if (!credentials.passwordsEnabled()) {
            text(res, Status.NOT_FOUND_404, "berth has no accounts (auth.htpasswd, auth.ldap): nobody signs in with a"
                    + " password");
            return;
        }
        if (!SameOrigin.holds(req)) {
            text(res, Status.FORBIDDEN_403, "sign in from berth's own page");
            return;
        }
        Map<String, String> form = form(req);
        Caller who;
        try {
            who = credentials.password(req, form.getOrDefault("username", ""), form.getOrDefault("password", ""));
        } catch (CredentialsRefused e) {
            acts.loginFailed(req, Optional.of(form.getOrDefault("username", "")).filter(u -> !u.isEmpty()),
                    e.reason().name());
            if (e.reason() == CredentialsRefused.Reason.UNAVAILABLE) {
                text(res, Status.SERVICE_UNAVAILABLE_503, "berth cannot sign you in now: " + e.getMessage());
                return;
            }
            boolean throttled = e.reason() == CredentialsRefused.Reason.THROTTLED;
            redirect(res, PREFIX + (throttled ? "/?throttled#/login" : "/?failed#/login"));
            return;
        }
        if (who.principal().token().isPresent()) {
            // An access token is for registry clients: a session of one could create tokens of its own.
            redirect(res, PREFIX + "/?failed#/login");
            return;
        }
        acts.loggedIn(req, who.principal());
        res.header(HeaderNames.SET_COOKIE, cookie(req, sessions.open(who.principal()), Sessions.TTL.toSeconds()));
        redirect(res, PREFIX + "/");
    }

    /** Ends the session on the server, on every instance, not only in this browser; then back to the page. */
    private void logout(ServerRequest req, ServerResponse res) {
        if (!SameOrigin.holds(req)) {
            text(res, Status.FORBIDDEN_403, "sign out from berth's own page");
            return;
        }
        Optional<String> session;
        try {
            session = credentials.session(req).map(Credentials.Session::value);
        } catch (AccountsUnavailable e) {
            // Signing out checks the session, and so its account: better to say so than to pretend it ended.
            text(res, Status.SERVICE_UNAVAILABLE_503, "berth cannot sign you out now: " + e.getMessage());
            return;
        }
        String next = provider.map(p -> p.afterSignOut(req, session)).orElse(PREFIX + "/");
        session.ifPresent(sessions::end);
        res.header(HeaderNames.SET_COOKIE, cookie(req, "", 0));
        redirect(res, next);
    }

    /**
     * The session cookie: for berth's whole origin (page and API), never readable by scripts nor sent cross-site, and
     * over HTTPS (berth's own, or a trusted proxy's) never sent over plain HTTP.
     */
    private static String cookie(ServerRequest req, String value, long maxAge) {
        return Sessions.cookie(value, maxAge, RequestClient.of(req).https());
    }

    private static Map<String, String> form(ServerRequest req) throws IOException {
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readNBytes(MAX_FORM);
        }
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.US_ASCII).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // A malformed field is a field not given.
                }
            }
        }
        return form;
    }

    private static void redirect(ServerResponse res, String location) {
        res.status(Status.SEE_OTHER_303).header(HeaderNames.LOCATION, location).send();
    }

    private void secure(ServerResponse res) {
        res.header(HeaderNames.create("Content-Security-Policy"), securityPolicy);
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "same-origin");
    }

    private static void text(ServerResponse res, Status status, String message) {
        res.status(status);
        res.headers().contentType(HttpMediaTypes.PLAINTEXT_UTF_8);
        res.send(message + "\n");
    }
}
