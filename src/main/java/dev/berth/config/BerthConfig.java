package dev.berth.config;

import dev.berth.oci.NameGlob;
import dev.berth.oci.Platform;
import dev.berth.oci.VersionRange;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The whole configuration, one immutable record per section of berth.yaml. */
public record BerthConfig(Server server, Storage storage, Limits limits, Mirror mirror, PrivateRepos privateRepos,
                          Auth auth, Cache cache, Optional<Cluster> cluster, List<RetentionRule> retention,
                          List<ImmutableRule> immutable, List<Policy> policy, Notifications notifications,
                          Audit audit) {

    /** {@code server.*}: where berth listens, and with which certificate when it speaks HTTPS. */
    public record Server(String host, int port, Optional<Tls> tls) {
    }

    /**
     * {@code server.tls.*}: PEM files of the certificate chain and its private key, and the port of a plain-HTTP
     * listener that redirects every request to HTTPS, if any.
     */
    public record Tls(Path cert, Path key, OptionalInt redirectPort) {
        /** Without a redirect listener. */
        public Tls(Path cert, Path key) {
            this(cert, key, OptionalInt.empty());
        }
    }

    /**
     * {@code storage.*}: the data directory, how long an unfinished upload is kept, and the S3 bucket that holds the
     * objects instead of the data directory (which then holds local scratch files only).
     */
    public record Storage(Path root, Duration uploadTimeout, Optional<S3> s3) {
    }

    /**
     * {@code storage.s3.*}: an S3-compatible service (absent endpoint: AWS S3 in the region), its bucket, whether the
     * bucket goes in the path, the credentials as configured (absent: from the environment), whether blob GETs
     * are redirected to presigned URLs of the objects, and the bound of the local hot tier of blobs (0: none).
     */
    public record S3(Optional<URI> endpoint, String region, String bucket, boolean pathStyle,
                     Optional<String> accessKey, Optional<String> secretKey, boolean redirect,
                     long localCacheMaxBytes) {
        @Override
        public String toString() {
            // Never print the secret key.
            return "S3[" + endpoint.map(URI::toString).orElse("AWS S3 in " + region) + " bucket " + bucket + "]";
        }
    }

    /**
     * {@code cluster.*}: every instance that shares the store (this one included), or a URL whose host name resolves to
     * all of them ({@code peers-dns}); how the others reach this one, and the file of the secret they share.
     */
    public record Cluster(List<URI> peers, Optional<URI> peersDns, Optional<URI> self, Optional<Path> secretFile) {
    }

    /**
     * {@code limits.*}: the largest manifest and blob accepted (0: no limit for blobs); how many requests may be in
     * progress at once in all and from one client; how long a request body may pause and how fast it must arrive
     * after that (bytes a second, 0: no rate); how many upload sessions may be open in all and for one client; how
     * many connections may be open in all and from one client (absent: sized from the process's file descriptors and
     * heap); how long a new connection may take to send its first request head, and how long one may then wait for
     * the next.
     */
    public record Limits(int maxManifestBytes, long maxUploadBytes, int maxRequests, int maxRequestsPerClient,
                         Duration bodyTimeout, long bodyMinRate, int maxUploadSessions,
                         int maxUploadSessionsPerClient, OptionalInt maxConnections,
                         OptionalInt maxConnectionsPerClient, Duration requestHeadTimeout, Duration idleTimeout) {
    }

    /** {@code mirror.*}: the upstream registries mirrored. */
    public record Mirror(List<Upstream> upstreams, List<Sync> sync) {
        /** The upstream that serves names naming no registry. */
        public Optional<Upstream> defaultUpstream() {
            return upstreams.stream().filter(Upstream::isDefault).findFirst();
        }
    }

    /**
     * {@code mirror.sync[]}: an upstream repository (as users write it: {@code busybox}, {@code ghcr.io/org/app})
     * whose tags matching {@code tags} (globs) or {@code versions} (a range) are kept cached, for {@code platforms}
     * (all when empty), checked every {@code interval}.
     */
    public record Sync(String repository, List<NameGlob> tags, Optional<VersionRange> versions, List<Platform> platforms,
                       Duration interval) {
        /** Whether {@code tag} is one this entry keeps. */
        public boolean keeps(String tag) {
            return tags.stream().anyMatch(glob -> glob.matches(tag)) || versions.filter(v -> v.contains(tag)).isPresent();
        }
    }

    /**
     * {@code mirror.upstreams[]}: one upstream registry. {@code revalidateTimeout} bounds a request that a cached copy
     * can stand in for; {@code maxDocumentBytes} bounds a tag list (all its pages) or a token answer, decompressed.
     * {@code access} says who decides who may pull its cached content; with {@link Access#CALLER}, the upstream's
     * decision on a caller's own login is remembered for {@code accessTtl}.
     */
    public record Upstream(String registry, String url, boolean isDefault, Duration tagTtl, Duration negativeTtl,
                           Optional<String> username, Optional<String> password, Duration connectTimeout,
                           Duration readTimeout, Duration revalidateTimeout, long maxDocumentBytes, Access access,
                           Duration accessTtl) {
        @Override
        public String toString() {
            // Never print the password.
            return "Upstream[" + registry + " " + url + (isDefault ? " default" : "") + "]";
        }
    }

    /**
     * {@code mirror.upstreams[].access}: berth's access rules decide who may pull an upstream's cached content, or the
     * upstream itself, asked with each caller's own login.
     */
    public enum Access { BERTH, CALLER }

    /**
     * {@code cache.*}: how long content nothing references is kept before garbage collection may delete it; the bytes
     * mirrored blobs and manifests may use (0: no budget); what the budget never evicts: {@code cache.pin}'s globs of
     * cached repositories ({@code docker.io/library/*}) and its tags ({@code docker.io/library/busybox:latest}).
     */
    public record Cache(Duration gcGrace, long maxBytes, List<String> pinRepositories, List<String> pinTags) {
        /** Whether mirrored content has a disk budget. */
        public boolean hasBudget() {
            return maxBytes > 0;
        }
    }

    /**
     * {@code policy[]}: repositories (globs over the name as clients see it, {@code docker.io/myorg/*}) whose
     * manifests are served only with a signature by one of {@code keys} (PEM public key files), or, in {@code WARN}
     * mode, served and reported.
     */
    public record Policy(List<NameGlob> repositories, List<Path> keys, PolicyMode mode) {
    }

    /** What a policy does with a manifest that has no signature it requires. */
    public enum PolicyMode { ENFORCE, WARN }

    /** {@code private.*}: name globs of repositories that are pushed to berth and never asked of an upstream. */
    public record PrivateRepos(List<String> repositories) {
    }

    /**
     * {@code auth.*}: accounts (an htpasswd file, a directory; neither: no authentication at all), the challenge
     * clients get, how long tokens live, groups of users, what anonymous users may pull, the access rules, and the
     * proxies whose {@code X-Forwarded-For} and {@code X-Forwarded-Proto} berth believes.
     */
    public record Auth(Optional<Path> htpasswd, Scheme scheme, Duration tokenTtl, Map<String, List<String>> groups,
                       boolean anonymousPullsMirrored, boolean anonymousPullsPrivate, List<Rule> rules,
                       List<AddressRange> trustedProxies, Optional<Oidc> oidc, Optional<Ldap> ldap) {
        /** Whether authentication is on: accounts, or single sign-on for the page. */
        public boolean enabled() {
            return passwords() || oidc.isPresent();
        }

        /** Whether users log in with a password: accounts of a file or of a directory. */
        public boolean passwords() {
            return htpasswd.isPresent() || ldap.isPresent();
        }

        /** The groups the rules name ({@code @group}), without the {@code @}. */
        public Set<String> ruleGroups() {
            return rules.stream().flatMap(rule -> Stream.of(rule.pull(), rule.push(), rule.delete(), rule.admin()))
                    .flatMap(List::stream).filter(name -> name.startsWith("@")).map(name -> name.substring(1))
                    .collect(Collectors.toUnmodifiableSet());
        }
    }

    /**
     * {@code auth.ldap.*}: accounts of a directory. berth binds as {@code bindDn} to find a user with
     * {@code userFilter} under {@code userBase}, binds as the user to check the password, and finds the user's groups
     * with {@code groupFilter} under {@code groupBase} (none without a base). {@code url} is ldap:// or ldaps://;
     * {@code startTls} upgrades an ldap:// connection; certificates are checked against {@code caFile} (PEM) or the
     * JVM's trusted authorities. What the directory answered is remembered for {@code cacheTtl}.
     */
    public record Ldap(URI url, boolean startTls, Optional<Path> caFile, String bindDn, String bindPassword,
                       String userBase, String userFilter, Optional<String> groupBase, String groupFilter,
                       Duration connectTimeout, Duration responseTimeout, Duration cacheTtl) {
        /** Whether connections are encrypted (ldaps:// or StartTLS). */
        public boolean tls() {
            return startTls || url.getScheme().equals("ldaps");
        }

        @Override
        public String toString() {
            // Never print the password.
            return "Ldap[" + url + (startTls ? " starttls" : "") + " as " + bindDn + "]";
        }
    }

    /**
     * {@code auth.oidc.*}: the OpenID Connect provider the web page signs in through: its issuer (discovery at
     * {@code <issuer>/.well-known/openid-configuration}), berth's client there, the ID token claim that lists a
     * user's groups, the scopes asked for ({@code openid} always), a CA file for the provider's certificate, and how
     * long any one request to the provider may take.
     */
    public record Oidc(URI issuer, String clientId, String clientSecret, String groupsClaim, List<String> scopes,
                       Optional<Path> caFile, Duration timeout) {
        @Override
        public String toString() {
            // The client secret never reaches a log.
            return "Oidc[issuer=" + issuer + ", clientId=" + clientId + ", groupsClaim=" + groupsClaim + "]";
        }
    }

    /** {@code auth.scheme}: the Docker token flow (Bearer), or HTTP Basic on every request. */
    public enum Scheme { BEARER, BASIC }

    /**
     * {@code auth.rules[]}: for repositories matching any of the globs, who may pull, push and delete, and who is an
     * administrator of them (warm, delete cached images, pin through the admin API). Entries are user names,
     * {@code @group}, or {@code *} for every authenticated user.
     */
    public record Rule(List<String> repositories, List<String> pull, List<String> push, List<String> delete,
                       List<String> admin) {
    }

    /**
     * {@code retention.rules[]}: for private repositories matching {@code repositories} (the first rule that matches
     * applies), the {@code keepLast} most recently pushed tags stay (absent: every tag), tags matching {@code keepTags}
     * stay whatever their age, and a manifest that no tag names goes once it was pushed {@code untaggedAfter} ago.
     */
    public record RetentionRule(List<NameGlob> repositories, OptionalInt keepLast, List<NameGlob> keepTags,
                                Duration untaggedAfter) {
        /** Whether the rule is for the repository stored as {@code name}. */
        public boolean matches(String name) {
            return repositories.stream().anyMatch(glob -> glob.matches(name));
        }
    }

    /** {@code immutable[]}: in repositories matching {@code repositories}, tags matching {@code tags} never move. */
    public record ImmutableRule(List<NameGlob> repositories, List<NameGlob> tags) {
        /** Whether {@code tag} of the repository stored as {@code name} is immutable by this rule. */
        public boolean covers(String name, String tag) {
            return repositories.stream().anyMatch(glob -> glob.matches(name))
                    && tags.stream().anyMatch(glob -> glob.matches(tag));
        }
    }

    /** {@code notifications.*}: the endpoints that hear of the registry's acts. */
    public record Notifications(List<Endpoint> endpoints) {
    }

    /**
     * {@code notifications.endpoints[]}: where events are POSTed, with which extra headers (an auth token), which
     * actions (empty: all), how long a POST may take, the first and the longest wait before a retry, and how many
     * events may wait on disk (past it the oldest go).
     */
    public record Endpoint(URI url, Map<String, String> headers, List<String> actions, Duration timeout,
                           Duration backoff, Duration maxBackoff, int queueLimit) {
        /** The URL as logs and metrics show it: no credentials, no query. */
        public String name() {
            return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                    + url.getRawPath();
        }

        @Override
        public String toString() {
            // Never print the headers: they carry tokens.
            return "Endpoint[" + name() + "]";
        }
    }

    /** {@code audit.*}: the file of the audit trail ({@code -}: standard output), if any. */
    public record Audit(Optional<String> path) {
    }
}
