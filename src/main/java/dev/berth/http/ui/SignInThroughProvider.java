package dev.berth.http.ui;

import dev.berth.auth.CredentialsRefused;
import dev.berth.auth.Principal;
import dev.berth.auth.Sessions;
import dev.berth.http.Acts;
import dev.berth.http.RequestClient;
import dev.berth.sso.ProviderUnavailable;
import dev.berth.sso.SignInRefused;
import dev.berth.sso.SingleSignOn;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The page's single sign-on: {@code /ui/sso/start} sends the browser to the provider with a sign-in in progress kept
 * in its cookie, {@code /ui/sso/callback} takes it back and opens a session. Whatever goes wrong is a small page with
 * the status and what happened, and a way back.
 */
final class SignInThroughProvider {
    /** The callback's path, which the provider must have registered as a redirect URI. */
    static final String CALLBACK = "/sso/callback";
    private static final Logger LOG = System.getLogger(SignInThroughProvider.class.getName());
    private static final Pattern HOST = Pattern.compile("(?:[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])"
            + "(?::[0-9]{1,5})?");
    private static final int MAX_PARAMETER = 4096;
    /** The audit's result for a sign-in the provider's answer did not prove (the page says why, the log too). */
    static final String REFUSED = "SSO_REFUSED";

    private final SingleSignOn sso;
    private final Sessions sessions;
    private final Acts acts;

    /** Sign-ins through {@code sso} open {@code sessions}; each, refused ones too, is reported to {@code acts}. */
    SignInThroughProvider(SingleSignOn sso, Sessions sessions, Acts acts) {
        this.sso = sso;
        this.sessions = sessions;
        this.acts = acts;
    }

    void start(ServerRequest req, ServerResponse res) {
        Optional<String> origin = origin(req);
        if (origin.isEmpty()) {
            failure(res, Status.BAD_REQUEST_400, "the request names no valid host (Host header)");
            return;
        }
        SingleSignOn.Start start;
        try {
            start = sso.start(origin.get() + WebPage.PREFIX + CALLBACK);
        } catch (ProviderUnavailable e) {
            unavailable(res, e);
            return;
        }
        res.header(HeaderNames.SET_COOKIE, pendingCookie(req, start.cookie(), SingleSignOn.PENDING.toSeconds()));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.status(Status.SEE_OTHER_303).header(HeaderNames.LOCATION, start.location().toString()).send();
    }

    void callback(ServerRequest req, ServerResponse res) {
        Map<String, String> params = new HashMap<>();
        for (String name : req.query().names()) {
            req.query().first(name).filter(value -> value.length() <= MAX_PARAMETER)
                    .ifPresent(value -> params.put(name, value));
        }
        Optional<String> pending = req.headers().cookies().first(SingleSignOn.COOKIE).asOptional()
                .filter(value -> !value.isEmpty());
        // The sign-in in progress is over whatever happens next: the browser starts again if it failed.
        res.header(HeaderNames.SET_COOKIE, pendingCookie(req, "", 0));
        Principal who;
        try {
            who = sso.finish(params, pending);
        } catch (SignInRefused e) {
            LOG.log(Logger.Level.INFO, "single sign-on refused: " + e.getMessage());
            acts.loginFailed(req, e.user(), REFUSED);
            failure(res, Status.create(e.status()), e.getMessage());
            return;
        } catch (ProviderUnavailable e) {
            acts.loginFailed(req, Optional.empty(), CredentialsRefused.Reason.UNAVAILABLE.name());
            unavailable(res, e);
            return;
        }
        String session = sessions.open(who);
        acts.loggedIn(req, who);
        res.headers().add(HeaderNames.SET_COOKIE, Sessions.cookie(session, Sessions.TTL.toSeconds(),
                RequestClient.of(req).https()));
        res.status(Status.SEE_OTHER_303).header(HeaderNames.LOCATION, WebPage.PREFIX + "/").send();
    }

    /** Where to send a browser after its session of {@code value} has been signed out of berth. */
    String afterSignOut(ServerRequest req, Optional<String> value) {
        String page = WebPage.PREFIX + "/";
        boolean provider = value.flatMap(sessions::verify).filter(sso::signedIn).isPresent();
        if (!provider) {
            return page;
        }
        return origin(req).flatMap(origin -> sso.signOut(origin + page))
                .filter(end -> (end.getScheme() + "://" + end.getRawAuthority()).equals(sso.origin()))
                .map(Object::toString).orElse(page);
    }

    /** The origin (scheme, host and port) the browser sees berth at, for the redirect URIs berth gives. */
    private static Optional<String> origin(ServerRequest req) {
        return req.headers().first(HeaderNames.HOST).map(String::trim).filter(host -> HOST.matcher(host).matches())
                .map(host -> (RequestClient.of(req).https() ? "https://" : "http://") + host);
    }

    /**
     * The cookie of a sign-in in progress: only for the callback, and {@code SameSite=Lax} since the browser comes
     * back from the provider's site (a strict cookie would stay behind).
     */
    private static String pendingCookie(ServerRequest req, String value, long maxAge) {
        return SingleSignOn.COOKIE + "=" + value + "; Path=" + WebPage.PREFIX + "/sso; Max-Age=" + maxAge
                + "; HttpOnly; SameSite=Lax" + (RequestClient.of(req).https() ? "; Secure" : "");
    }

    private static void unavailable(ServerResponse res, ProviderUnavailable e) {
        LOG.log(Logger.Level.WARNING, "single sign-on: " + e.getMessage());
        failure(res, Status.SERVICE_UNAVAILABLE_503, "the single sign-on provider cannot be reached now: "
                + e.getMessage() + ". Try again in a minute; if it lasts, tell berth's administrator.");
    }

    private static void failure(ServerResponse res, Status status, String message) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'none'; style-src 'self'");
        res.send("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>berth: sign-in failed</title>"
                + "<link rel=\"stylesheet\" href=\"" + WebPage.PREFIX + "/app.css\"></head>\n<body><main>"
                + "<h1>Single sign-on failed</h1>\n<p id=\"sso-error\" class=\"error\">" + html(message) + "</p>\n"
                + "<p><a href=\"" + WebPage.PREFIX + "/#/login\">Back to berth</a></p></main></body></html>\n");
    }

    private static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
