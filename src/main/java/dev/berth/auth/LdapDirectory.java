package dev.berth.auth;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import dev.berth.config.BerthConfig;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The directory of {@code auth.ldap}, asked over LDAP: finds a user (with berth's service account) and checks a
 * password (by binding as the user). Every exchange opens a connection of its own, bounded by the connect and response
 * timeouts, and closes it: {@link DirectoryAccounts} remembers the answers, so connections are rare, and a fresh one
 * never inherits a socket that a firewall dropped while it sat idle in a pool. Anything but an answer is
 * {@link AccountsUnavailable}.
 */
final class LdapDirectory {
    private static final Logger LOG = System.getLogger(LdapDirectory.class.getName());
    private static final byte[] FINGERPRINT_PURPOSE = "berth directory account\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FINGERPRINT_BYTES = 16;
    /** More groups than any person is in; a bound on what one lookup reads. */
    private static final int MAX_GROUPS = 1000;
    private static final String UNAVAILABLE = "the account directory (auth.ldap) is unavailable; try again later";
    /** Stands for {@code {username}} when the filter is examined; no user is called so. */
    private static final String NAME_PROBE = "berth-name-probe";

    private final BerthConfig.Ldap config;
    private final SocketFactory sockets;
    private final Optional<SSLSocketFactory> startTls;
    private final LDAPConnectionOptions options;
    /** The attributes {@code user-filter} compares {@code {username}} with for equality, such as uid. */
    private final Set<String> nameAttributes;

    /**
     * A client of the directory {@code config} names; nothing is asked of it yet (it may be down while berth starts).
     *
     * @throws IllegalArgumentException for a filter that is none, or a CA file that holds no certificate
     */
    LdapDirectory(BerthConfig.Ldap config) {
        this.config = config;
        nameAttributes = nameAttributes(userFilter(config.userFilter(), NAME_PROBE));
        groupFilter("cn=probe", "probe");
        options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis(Math.toIntExact(config.connectTimeout().toMillis()));
        options.setResponseTimeoutMillis(config.responseTimeout().toMillis());
        options.setFollowReferrals(false);
        if (!config.tls()) {
            sockets = SocketFactory.getDefault();
            startTls = Optional.empty();
            return;
        }
        // The name in the certificate must be the host of auth.ldap.url, for ldaps:// and StartTLS alike.
        options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        SSLSocketFactory tls = new BoundedTlsSockets(tlsSockets(config), config.url().getHost(),
                options.getConnectTimeoutMillis(), Math.toIntExact(config.responseTimeout().toMillis()));
        sockets = config.startTls() ? SocketFactory.getDefault() : tls;
        startTls = config.startTls() ? Optional.of(tls) : Optional.empty();
    }

    /** Trust in {@code auth.ldap.ca-file}'s authorities when it is set, else in the JVM's. */
    private static SSLSocketFactory tlsSockets(BerthConfig.Ldap config) {
        try {
            X509TrustManager trust = config.caFile().isPresent()
                    ? new PEMFileTrustManager(config.caFile().get().toFile()) : JVMDefaultTrustManager.getInstance();
            return new SSLUtil(trust).createSSLSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("auth.ldap.ca-file: " + config.caFile().map(Object::toString)
                    .orElse("the JVM's trusted authorities") + ": " + e.getMessage(), e);
        }
    }

    /**
     * The one entry {@code user-filter} finds for {@code username}, with its groups; empty when none or several
     * match (a filter that matches several users identifies nobody).
     */
    Optional<DirectoryUser> find(String username) {
        try (LDAPConnection connection = serviceConnection()) {
            List<String> attributes = new ArrayList<>(nameAttributes);
            attributes.add("entryUUID");
            SearchRequest search = new SearchRequest(config.userBase(), SearchScope.SUB,
                    userFilter(config.userFilter(), username), attributes.toArray(String[]::new));
            search.setSizeLimit(2);
            List<SearchResultEntry> entries = search(connection, search, "user");
            if (entries.size() != 1) {
                if (entries.size() > 1) {
                    LOG.log(Logger.Level.WARNING, "auth.ldap.user-filter finds more than one entry for user "
                            + username + ": refusing the login");
                }
                return Optional.empty();
            }
            SearchResultEntry entry = entries.getFirst();
            if (!namedExactly(entry, username)) {
                // "ALICE" or " alice" finds alice's entry (the directory compares names ignoring case and spaces):
                // one account under many names would dodge the login throttle's count of guesses at it.
                return Optional.empty();
            }
            return Optional.of(new DirectoryUser(entry.getDN(), fingerprint(entry), groups(connection, entry.getDN(),
                    username)));
        }
    }

    /** Whether {@code username} is exactly a value of the entry's name attributes (when the filter has any). */
    private boolean namedExactly(SearchResultEntry entry, String username) {
        if (nameAttributes.isEmpty()) {
            return true;
        }
        for (String attribute : nameAttributes) {
            String[] values = entry.getAttributeValues(attribute);
            if (values != null && Arrays.asList(values).contains(username)) {
                return true;
            }
        }
        return false;
    }

    /** The attributes of the equality comparisons in {@code filter} whose value is {@link #NAME_PROBE}. */
    private static Set<String> nameAttributes(Filter filter) {
        Set<String> names = new LinkedHashSet<>();
        switch (filter.getFilterType()) {
            case Filter.FILTER_TYPE_AND, Filter.FILTER_TYPE_OR -> {
                for (Filter component : filter.getComponents()) {
                    names.addAll(nameAttributes(component));
                }
            }
            case Filter.FILTER_TYPE_EQUALITY -> {
                if (NAME_PROBE.equals(filter.getAssertionValue())) {
                    names.add(filter.getAttributeName());
                }
            }
            default -> {
                // NOT, presence, substrings, ranges: no name to compare with.
            }
        }
        return names;
    }

    /** Whether {@code password} is that of the entry {@code dn}, by binding as it. */
    boolean checkPassword(String dn, String password) {
        // An empty password would be an unauthenticated bind, which succeeds for any DN.
        if (password.isEmpty()) {
            return false;
        }
        try (LDAPConnection connection = connect()) {
            connection.bind(dn, password);
            return true;
        } catch (LDAPException e) {
            ResultCode code = e.getResultCode();
            if (code == ResultCode.INVALID_CREDENTIALS || code == ResultCode.INAPPROPRIATE_AUTHENTICATION
                    || code == ResultCode.UNWILLING_TO_PERFORM || code == ResultCode.INVALID_DN_SYNTAX) {
                // Wrong password, or an account the directory holds back (locked, expired): a refusal either way.
                return false;
            }
            throw unavailable("binding as " + dn, e);
        }
    }

    private Set<String> groups(LDAPConnection connection, String dn, String username) {
        if (config.groupBase().isEmpty()) {
            return Set.of();
        }
        SearchRequest search = new SearchRequest(config.groupBase().get(), SearchScope.SUB,
                groupFilter(dn, username), "cn");
        search.setSizeLimit(MAX_GROUPS);
        Set<String> names = new LinkedHashSet<>();
        for (SearchResultEntry group : search(connection, search, "groups")) {
            String[] cns = group.getAttributeValues("cn");
            if (cns != null) {
                names.addAll(Arrays.asList(cns));
            }
        }
        return names;
    }

    private static List<SearchResultEntry> search(LDAPConnection connection, SearchRequest search, String what) {
        try {
            return connection.search(search).getSearchEntries();
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                // The base does not exist (yet): a directory that answers, with nobody in it.
                LOG.log(Logger.Level.WARNING, "auth.ldap: the " + what + " base " + search.getBaseDN()
                        + " does not exist");
                return List.of();
            }
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                return e.getSearchEntries();
            }
            throw unavailable("searching the " + what, e);
        }
    }

    /** A connection bound as berth's service account. */
    private LDAPConnection serviceConnection() {
        LDAPConnection connection = connect();
        try {
            connection.bind(config.bindDn(), config.bindPassword());
            return connection;
        } catch (LDAPException e) {
            connection.close();
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                throw unavailable("binding as auth.ldap.bind-dn " + config.bindDn()
                        + " (check auth.ldap.bind-password-file)", e);
            }
            throw unavailable("binding as auth.ldap.bind-dn " + config.bindDn(), e);
        }
    }

    /** A connection to the directory, encrypted when configured so, not yet bound. */
    private LDAPConnection connect() {
        LDAPConnection connection = new LDAPConnection(sockets, options);
        try {
            connection.connect(config.url().getHost(), port());
            if (startTls.isPresent()) {
                ResultCode code = connection.processExtendedOperation(new StartTLSExtendedRequest(startTls.get()))
                        .getResultCode();
                if (code != ResultCode.SUCCESS) {
                    throw new LDAPException(code, "StartTLS refused");
                }
            }
            return connection;
        } catch (LDAPException e) {
            connection.close();
            throw unavailable("connecting to " + config.url(), e);
        }
    }

    private int port() {
        int port = config.url().getPort();
        return port > 0 ? port : config.url().getScheme().equals("ldaps") ? 636 : 389;
    }

    /** Logged for the administrator with the directory's reason (never a password); the client hears less. */
    private static AccountsUnavailable unavailable(String doing, LDAPException e) {
        LOG.log(Logger.Level.WARNING, "auth.ldap: " + doing + " failed: " + e.getResultCode() + " "
                + Optional.ofNullable(e.getDiagnosticMessage()).orElse(e.getMessage()));
        return new AccountsUnavailable(UNAVAILABLE);
    }

    /** {@code filter} with {@code {username}} replaced by the name escaped as RFC 4515 asks, so it stays a value. */
    private static Filter userFilter(String filter, String username) {
        return parse("auth.ldap.user-filter", filter.replace("{username}", Filter.encodeValue(username)));
    }

    private Filter groupFilter(String dn, String username) {
        return parse("auth.ldap.group-filter", config.groupFilter().replace("{dn}", Filter.encodeValue(dn))
                .replace("{username}", Filter.encodeValue(username)));
    }

    private static Filter parse(String key, String filter) {
        try {
            return Filter.create(filter);
        } catch (LDAPException e) {
            throw new IllegalArgumentException(key + ": not an LDAP filter: " + e.getMessage(), e);
        }
    }

    /**
     * The entry's DN and, where the directory keeps one, its {@code entryUUID}: what stays when the password changes
     * (berth cannot read passwords) and differs for an account removed and made again under the same name.
     */
    private static String fingerprint(SearchResultEntry entry) {
        byte[] digest = Sha256.of(FINGERPRINT_PURPOSE, entry.getDN().getBytes(StandardCharsets.UTF_8),
                new byte[] {'\n'}, Optional.ofNullable(entry.getAttributeValue("entryUUID")).orElse("")
                        .getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, FINGERPRINT_BYTES));
    }

    @Override
    public String toString() {
        return "LdapDirectory[" + config + "]";
    }
}
