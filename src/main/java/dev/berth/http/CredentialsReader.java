package dev.berth.http;

import dev.berth.auth.Authenticator;
import dev.berth.auth.Caller;
import dev.berth.auth.Credentials;
import dev.berth.auth.CredentialsRefused;
import dev.berth.auth.Sessions;
import dev.berth.config.AddressRange;
import dev.berth.config.BerthConfig;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The one reader of credentials, for {@code /v2}, {@code /v1}, {@code /auth}, {@code /api} and {@code /ui}: it takes
 * what a request carries ({@code Authorization: Basic} or {@code Bearer}, the page's session cookie where the endpoint
 * accepts it, a login form's fields), has {@link Authenticator} check it, and says who the caller is. Refusals are
 * {@link CredentialsRefused}, which each API answers in its own format. Without {@code auth.htpasswd} everyone is
 * anonymous, and only whether they are on berth's own host tells callers apart.
 */
public final class CredentialsReader {
    private final boolean enabled;
    private final boolean passwords;
    private final Authenticator authenticator;

    public CredentialsReader(BerthConfig.Auth config, Authenticator authenticator) {
        this.enabled = config.enabled();
        this.passwords = config.passwords();
        this.authenticator = authenticator;
    }

    /** Whether users log in with a password ({@code auth.htpasswd}, {@code auth.ldap}), on the page's form too. */
    public boolean passwordsEnabled() {
        return passwords;
    }

    /**
     * Who sent {@code req}, by its {@code Authorization} header; anonymous without one.
     *
     * @throws CredentialsRefused for wrong, malformed or throttled credentials, a bad token, an unknown scheme
     */
    public Caller read(ServerRequest req) {
        return read(req, false);
    }

    /** As {@link #read(ServerRequest)}, and without an {@code Authorization} header, the page's session cookie. */
    public Caller readWithSession(ServerRequest req) {
        return read(req, true);
    }

    /** The caller of the Basic credentials {@code encoded} (what follows {@code Basic }), with logins on. */
    public Caller basic(ServerRequest req, String encoded) {
        return check(req, Credentials.Password.decodeBasic(encoded)
                .orElseThrow(() -> new CredentialsRefused(CredentialsRefused.Reason.MALFORMED)));
    }

    /** The caller whose user name and password a login form gave, with logins on. */
    public Caller password(ServerRequest req, String user, String password) {
        return check(req, new Credentials.Password(user, password));
    }

    /** The page's session cookie of {@code req}, unchecked (to sign it out); empty without one. */
    public Optional<Credentials.Session> session(ServerRequest req) {
        return req.headers().cookies().first(Sessions.COOKIE).asOptional().filter(v -> !v.isEmpty())
                .map(Credentials.Session::new);
    }

    private Caller read(ServerRequest req, boolean sessions) {
        boolean local = fromThisHost(req);
        if (!enabled) {
            return Caller.anonymous(local);
        }
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION).map(String::trim);
        if (header.isEmpty()) {
            Optional<Credentials.Session> session = sessions ? session(req) : Optional.empty();
            return session.map(presented -> check(req, presented)).orElseGet(() -> Caller.anonymous(local));
        }
        String value = header.get();
        if (startsWithIgnoringCase(value, "Bearer ")) {
            return check(req, new Credentials.Token(value.substring(7).trim()));
        }
        if (startsWithIgnoringCase(value, "Basic ")) {
            return basic(req, value.substring(6).trim());
        }
        throw new CredentialsRefused(CredentialsRefused.Reason.UNSUPPORTED_SCHEME);
    }

    private Caller check(ServerRequest req, Credentials presented) {
        return authenticator.check(presented, ClientKey.of(req), fromThisHost(req));
    }

    private static boolean startsWithIgnoringCase(String value, String prefix) {
        return value.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /**
     * Whether the real client (behind any trusted proxy) is on a loopback address, nothing says a proxy forwarded the
     * request (a proxy on the same host would otherwise make every client local, and a request a trusted proxy
     * forwarded is never local because the proxy is), and it was sent to berth as {@code localhost} or a loopback
     * address: a web page whose own name was made to resolve to 127.0.0.1 (DNS rebinding) reaches berth from loopback
     * through a local browser, but with its name in {@code Host}.
     */
    private static boolean fromThisHost(ServerRequest req) {
        RequestClient client = RequestClient.of(req);
        return !client.proxied() && isLoopback(client.address())
                && req.headers().first(HeaderNames.HOST).map(CredentialsReader::namesLoopback).orElse(true);
    }

    /** Whether the {@code Host} value {@code host} is {@code localhost} or a loopback address, with any port. */
    private static boolean namesLoopback(String host) {
        String name = host.trim();
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            return end > 0 && isLoopback(name.substring(1, end));
        }
        int colon = name.lastIndexOf(':');
        name = colon >= 0 ? name.substring(0, colon) : name;
        // Only a literal address is parsed: resolving a name would ask the DNS the rebinding page controls.
        return name.equalsIgnoreCase("localhost") || isLoopback(name);
    }

    /** Whether {@code address} is a literal loopback address (a name is never looked up). */
    private static boolean isLoopback(String address) {
        return AddressRange.literal(address).map(InetAddress::isLoopbackAddress).orElse(false);
    }
}
