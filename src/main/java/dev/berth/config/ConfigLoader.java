package dev.berth.config;

import dev.berth.oci.NameGlob;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.oci.VersionRange;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads berth.yaml, with {@code BERTH_*} environment variables over it, into a {@link BerthConfig}; unknown keys and
 * bad values fail with a message naming the key (see {@link ConfigCheck}).
 */
public final class ConfigLoader {
    /** The shortest interval between two syncs of an entry: more often would only spend the upstream's rate limit. */
    private static final Duration MIN_SYNC_INTERVAL = Duration.ofMinutes(1);
    /** One or more repository-name components: a host name in lower case, with no port. */
    private static final Pattern REGISTRY_NAME = Pattern.compile("[a-z0-9]+(?:[.-][a-z0-9]+)*");

    /** S3's rules for bucket names: 3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at each end. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
    private static final List<String> OWN_HEADERS = List.of("content-type", "content-length", "host", "connection",
            "expect", "upgrade", "transfer-encoding");
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]+");

    private ConfigLoader() {
    }

    /** Loads a YAML file, without environment overrides. */
    public static BerthConfig load(Path file) {
        return load(file, Map.of());
    }

    /** Loads a YAML file, with the {@code BERTH_*} variables of {@code environment} over its values. */
    public static BerthConfig load(Path file, Map<String, String> environment) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("configuration file not found: " + file.toAbsolutePath());
        }
        return from(Config.builder(ConfigSources.file(file))
                .disableEnvironmentVariablesSource().disableSystemPropertiesSource().build(), environment);
    }

    /** Parses YAML text (tests use this). */
    public static BerthConfig fromYaml(String yaml) {
        return fromYaml(yaml, Map.of());
    }

    /** Parses YAML text, with the {@code BERTH_*} variables of {@code environment} over its values. */
    public static BerthConfig fromYaml(String yaml, Map<String, String> environment) {
        return from(Config.just(yaml, MediaTypes.APPLICATION_X_YAML), environment);
    }

    /** The configuration with every default: port 5000 on all addresses, data in ./data. */
    public static BerthConfig defaults() {
        return fromYaml("{}");
    }

    /** Every default, with the {@code BERTH_*} variables of {@code environment} over them. */
    public static BerthConfig defaults(Map<String, String> environment) {
        return fromYaml("{}", environment);
    }

    private static BerthConfig from(Config file, Map<String, String> environment) {
        Map<String, String> entries = ConfigEntries.of(file);
        entries.putAll(EnvironmentOverrides.from(environment));
        ConfigCheck.check(entries);
        return from(ConfigEntries.toConfig(entries));
    }

    /** Reads values that {@link ConfigCheck} has passed, so each has its key's type; checks how they fit together. */
    private static BerthConfig from(Config root) {
        Config server = root.get("server");
        int port = server.get("port").asInt().orElse(5000);
        Config storage = root.get("storage");
        Config limits = root.get("limits");
        long maxManifest = bytes(limits, "max-manifest-size", "4MiB");
        List<BerthConfig.Upstream> upstreams = upstreams(root.get("mirror.upstreams"));
        List<String> privateGlobs = root.get("private.repositories").asList(String.class).orElse(List.of());
        checkPrivateGlobs(privateGlobs, upstreams);
        BerthConfig.Auth auth = auth(root.get("auth"));
        checkCallerAccess(upstreams, auth);
        if (maxManifest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("limits.max-manifest-size is too large");
        }
        Duration bodyTimeout = duration(limits, "body-timeout", "30s");
        if (bodyTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("limits.body-timeout must be at least 1ms: it is how long a request"
                    + " body may pause");
        }
        return new BerthConfig(
                new BerthConfig.Server(server.get("host").asString().orElse("0.0.0.0"), port,
                        tls(server.get("tls"), port)),
                new BerthConfig.Storage(Path.of(storage.get("root").asString().orElse("./data")),
                        duration(storage, "upload-timeout", "24h"), s3(storage.get("s3"))),
                new BerthConfig.Limits((int) maxManifest, bytes(limits, "max-upload-size", "0"),
                        limits.get("max-requests").asInt().orElse(1024),
                        limits.get("max-requests-per-client").asInt().orElse(64),
                        bodyTimeout, bytes(limits, "body-min-rate", "1KiB"),
                        limits.get("max-upload-sessions").asInt().orElse(4096),
                        limits.get("max-upload-sessions-per-client").asInt().orElse(256),
                        count(limits, "max-connections"), count(limits, "max-connections-per-client"),
                        positive(limits, "request-head-timeout", "10s"), positive(limits, "idle-timeout", "60s")),
                new BerthConfig.Mirror(upstreams, sync(root.get("mirror.sync"))),
                new BerthConfig.PrivateRepos(privateGlobs),
                auth,
                cache(root.get("cache")),
                cluster(root.get("cluster")),
                retention(root.get("retention.rules"), upstreams),
                immutable(root.get("immutable"), upstreams),
                policy(root.get("policy")),
                new BerthConfig.Notifications(endpoints(root.get("notifications.endpoints"))),
                new BerthConfig.Audit(root.get("audit.path").asString().asOptional().filter(p -> !p.isBlank())));
    }

    /**
     * A header an endpoint gets beside berth's: a token name, and not one the HTTP client sets itself; its value on
     * one line.
     */
    private static String header(Config header) {
        String name = header.name();
        String value = header.asString().orElse("");
        if (!HEADER_NAME.matcher(name).matches() || OWN_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException(header.key() + ": not a header berth can send (it sets "
                    + String.join(", ", OWN_HEADERS) + " itself)");
        }
        if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            throw new IllegalArgumentException(header.key() + ": a header value is one line of text");
        }
        return name;
    }

    private static List<BerthConfig.Endpoint> endpoints(Config list) {
        List<BerthConfig.Endpoint> result = new ArrayList<>();
        for (Config entry : list.asNodeList().orElse(List.of())) {
            URI url = URI.create(required(entry, "url"));
            if (result.stream().anyMatch(e -> e.url().equals(url))) {
                throw new IllegalArgumentException(entry.get("url").key() + ": " + url + " is configured twice");
            }
            Map<String, String> headers = new TreeMap<>();
            entry.get("headers").asNodeList().orElse(List.of())
                    .forEach(header -> headers.put(header(header), header.asString().orElse("")));
            Duration backoff = positive(entry, "backoff", "1s");
            Duration maxBackoff = positive(entry, "max-backoff", "5m");
            if (maxBackoff.compareTo(backoff) < 0) {
                throw new IllegalArgumentException(entry.get("max-backoff").key() + ": must not be shorter than "
                        + "backoff");
            }
            result.add(new BerthConfig.Endpoint(url, Map.copyOf(headers),
                    entry.get("actions").asList(String.class).orElse(List.of()), positive(entry, "timeout", "5s"),
                    backoff, maxBackoff, entry.get("queue-limit").asInt().orElse(10_000)));
        }
        return List.copyOf(result);
    }

    private static Optional<BerthConfig.S3> s3(Config s3) {
        if (!s3.exists()) {
            return Optional.empty();
        }
        String bucket = required(s3, "bucket");
        if (!BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException(s3.get("bucket").key() + ": " + bucket + " is not an S3 bucket name"
                    + " (3 to 63 lower-case letters, digits, dots and hyphens)");
        }
        String region = s3.get("region").asString().orElse("us-east-1");
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException(s3.get("region").key() + ": " + region + " is not a region name,"
                    + " such as us-east-1");
        }
        Optional<URI> endpoint = s3.get("endpoint").asString().asOptional().map(url -> httpUrl(s3.get("endpoint"), url));
        Optional<String> accessKey = s3.get("access-key").asString().asOptional();
        Optional<String> secretKey = s3.get("secret-key").asString().asOptional();
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw new IllegalArgumentException("storage.s3 needs both access-key and secret-key, or neither (then"
                    + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment)");
        }
        // Self-hosted services are reached by address, where a bucket cannot be a host name.
        boolean pathStyle = s3.get("path-style").asBoolean().orElse(endpoint.isPresent());
        boolean redirect = s3.get("redirect").asBoolean().orElse(false);
        return Optional.of(new BerthConfig.S3(endpoint, region, bucket, pathStyle, accessKey, secretKey, redirect,
                bytes(s3, "local-cache.max-bytes", "0")));
    }

    private static Optional<BerthConfig.Cluster> cluster(Config cluster) {
        if (!cluster.exists()) {
            return Optional.empty();
        }
        List<URI> peers = new ArrayList<>();
        for (Config peer : cluster.get("peers").asNodeList().orElse(List.of())) {
            URI url = httpUrl(peer, peer.asString().get());
            if (peers.contains(url)) {
                throw new IllegalArgumentException("cluster.peers: " + url + " is listed twice");
            }
            peers.add(url);
        }
        Optional<URI> peersDns = cluster.get("peers-dns").asString().asOptional()
                .map(url -> httpUrl(cluster.get("peers-dns"), url));
        if (peersDns.isPresent() && !peers.isEmpty()) {
            throw new IllegalArgumentException("cluster.peers-dns and cluster.peers both name the instances: set one");
        }
        Optional<URI> self = cluster.get("self").asString().asOptional().map(url -> httpUrl(cluster.get("self"), url));
        if (self.isPresent() && !peers.isEmpty() && !peers.contains(self.get())) {
            throw new IllegalArgumentException("cluster.self: " + self.get() + " is not one of cluster.peers, which"
                    + " lists every instance, this one included");
        }
        Optional<Path> secretFile = cluster.get("secret-file").asString().asOptional()
                .map(file -> readable(cluster.get("secret-file"), file));
        return Optional.of(new BerthConfig.Cluster(List.copyOf(peers), peersDns, self, secretFile));
    }

    /** An http:// or https:// URL with a host and nothing after it but a path, such as http://10.0.0.1:9000. */
    private static URI httpUrl(Config node, String text) {
        try {
            URI url = new URI(text);
            if (("http".equals(url.getScheme()) || "https".equals(url.getScheme())) && url.getHost() != null
                    && url.getRawUserInfo() == null && url.getRawQuery() == null && url.getRawFragment() == null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new IllegalArgumentException(node.key() + ": " + text + " is not an http:// or https:// URL such as"
                + " http://10.0.0.1:9000");
    }

    private static BerthConfig.Cache cache(Config cache) {
        List<String> repositories = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        for (String entry : cache.get("pin").asList(String.class).orElse(List.of())) {
            // A colon after the last slash starts a tag: registry names carry no port.
            int colon = entry.lastIndexOf(':');
            if (colon < entry.lastIndexOf('/')) {
                repositories.add(entry);
            } else if (entry.contains("*") || colon == entry.length() - 1
                    || !RepoName.isValid(entry.substring(0, colon))) {
                throw new IllegalArgumentException("cache.pin: " + entry
                        + ": a pinned tag names one cached repository, such as docker.io/library/busybox:latest");
            } else {
                tags.add(entry);
            }
        }
        return new BerthConfig.Cache(duration(cache, "gc-grace", "1h"), bytes(cache, "max-bytes", "0"),
                List.copyOf(repositories), List.copyOf(tags));
    }

    private static Optional<BerthConfig.Tls> tls(Config tls, int port) {
        Optional<String> cert = tls.get("cert").asString().asOptional();
        Optional<String> key = tls.get("key").asString().asOptional();
        if (cert.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException("server.tls needs both cert and key (PEM files)");
        }
        OptionalInt redirect = tls.get("redirect-port").asInt().map(OptionalInt::of).orElse(OptionalInt.empty());
        if (redirect.isPresent() && cert.isEmpty()) {
            throw new IllegalArgumentException("server.tls.redirect-port redirects plain HTTP to HTTPS: it needs"
                    + " server.tls.cert and server.tls.key");
        }
        if (redirect.isPresent() && redirect.getAsInt() == port && port != 0) {
            throw new IllegalArgumentException("server.tls.redirect-port " + port + " is server.port, where berth"
                    + " speaks HTTPS: give the plain-HTTP listener a port of its own, such as 80");
        }
        return cert.map(c -> new BerthConfig.Tls(readable(tls.get("cert"), c), readable(tls.get("key"), key.get()),
                redirect));
    }

    private static BerthConfig.Auth auth(Config auth) {
        String scheme = auth.get("scheme").asString().orElse("bearer");
        Optional<BerthConfig.Oidc> oidc = oidc(auth.get("oidc"));
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (Config group : auth.get("groups").asNodeList().orElse(List.of())) {
            groups.put(group.name(), group.asList(String.class).orElse(List.of()));
        }
        Optional<BerthConfig.Ldap> ldap = ldap(auth.get("ldap"));
        List<BerthConfig.Rule> rules = new ArrayList<>();
        for (Config rule : auth.get("rules").asNodeList().orElse(List.of())) {
            List<String> repositories = rule.get("repositories").asList(String.class).orElse(List.of());
            if (repositories.isEmpty()) {
                throw new IllegalArgumentException(rule.key() + ".repositories must list at least one name glob");
            }
            // With a provider (a directory, single sign-on), a rule may name a group only the provider knows.
            boolean declared = oidc.isEmpty() && ldap.isEmpty();
            rules.add(new BerthConfig.Rule(repositories, principals(rule, "pull", groups, declared),
                    principals(rule, "push", groups, declared), principals(rule, "delete", groups, declared),
                    principals(rule, "admin", groups, declared)));
        }
        return new BerthConfig.Auth(auth.get("htpasswd").asString().asOptional().map(Path::of),
                scheme.equals("basic") ? BerthConfig.Scheme.BASIC : BerthConfig.Scheme.BEARER,
                duration(auth, "token-ttl", "5m"), Map.copyOf(groups),
                anonymous(auth, "mirrored", "pull"), anonymous(auth, "private", "none"), List.copyOf(rules),
                auth.get("trusted-proxies").asList(String.class).orElse(List.of()).stream()
                        .map(AddressRange::parse).toList(), oidc, ldap);
    }

    /** {@code auth.ldap}, when configured: its password file is read now, and its URL and files checked. */
    private static Optional<BerthConfig.Ldap> ldap(Config ldap) {
        if (!ldap.exists()) {
            return Optional.empty();
        }
        Config urlNode = ldap.get("url");
        URI url;
        try {
            url = new URI(required(ldap, "url"));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(urlNode.key() + ": not a URL: " + e.getMessage(), e);
        }
        if (!("ldap".equals(url.getScheme()) || "ldaps".equals(url.getScheme())) || url.getHost() == null
                || (url.getPath() != null && !url.getPath().isEmpty() && !url.getPath().equals("/"))) {
            throw new IllegalArgumentException(urlNode.key() + ": " + url + " is not ldap://HOST[:PORT] or"
                    + " ldaps://HOST[:PORT] (the bases and filters have keys of their own)");
        }
        boolean startTls = ldap.get("start-tls").asBoolean().orElse(false);
        if (startTls && url.getScheme().equals("ldaps")) {
            throw new IllegalArgumentException(ldap.get("start-tls").key() + ": ldaps:// is encrypted from the start;"
                    + " StartTLS upgrades an ldap:// connection");
        }
        Optional<Path> caFile = ldap.get("ca-file").asString().asOptional()
                .map(file -> readable(ldap.get("ca-file"), file));
        Path passwordFile = readable(ldap.get("bind-password-file"), required(ldap, "bind-password-file"));
        String password = readSecret(passwordFile.toString());
        if (password.isEmpty()) {
            // An empty password is an unauthenticated bind, which a directory accepts for any DN.
            throw new IllegalArgumentException(ldap.get("bind-password-file").key() + ": " + passwordFile
                    + " is empty");
        }
        String userFilter = ldap.get("user-filter").asString().orElse("(uid={username})");
        if (!userFilter.contains("{username}")) {
            throw new IllegalArgumentException(ldap.get("user-filter").key() + ": " + userFilter
                    + " does not contain {username}, so it would find the same entry for everyone");
        }
        return Optional.of(new BerthConfig.Ldap(url, startTls, caFile, required(ldap, "bind-dn"), password,
                required(ldap, "user-base"), userFilter, ldap.get("group-base").asString().asOptional(),
                ldap.get("group-filter").asString().orElse("(member={dn})"),
                // 0 would be no timeout at all to the LDAP client: a directory that stops answering holds logins.
                positive(ldap, "connect-timeout", "5s"), positive(ldap, "response-timeout", "5s"),
                duration(ldap, "cache-ttl", "1m")));
    }

    /** {@code auth.oidc}: absent, or with its issuer, client and secret. */
    private static Optional<BerthConfig.Oidc> oidc(Config oidc) {
        if (!oidc.exists()) {
            return Optional.empty();
        }
        String issuer = required(oidc, "issuer");
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(oidc.get("issuer").key() + ": " + issuer + " is not a URL", e);
        }
        boolean loopback = uri.getHost() != null && (uri.getHost().equals("localhost")
                || uri.getHost().startsWith("127.") || uri.getHost().equals("[::1]"));
        if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null
                || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()) && loopback)) {
            throw new IllegalArgumentException(oidc.get("issuer").key() + ": " + issuer + " is not an https URL"
                    + " without query or fragment, such as https://sso.example.org/realms/team (plain http only on"
                    + " this host's loopback)");
        }
        Path secretFile = readable(oidc.get("client-secret-file"), required(oidc, "client-secret-file"));
        String secret = readSecret(secretFile.toString());
        if (secret.isEmpty()) {
            throw new IllegalArgumentException(oidc.get("client-secret-file").key() + ": " + secretFile
                    + " is empty: it holds the client secret the provider gave berth's client");
        }
        List<String> scopes = new ArrayList<>(List.of("openid"));
        for (String scope : oidc.get("scopes").asList(String.class).orElse(List.of("profile"))) {
            if (!scope.matches("[\\x21\\x23-\\x5b\\x5d-\\x7e]+")) {
                throw new IllegalArgumentException(oidc.get("scopes").key() + ": " + scope + " is not a scope name");
            }
            if (!scopes.contains(scope)) {
                scopes.add(scope);
            }
        }
        Duration timeout = duration(oidc, "timeout", "5s");
        if (timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException(oidc.get("timeout").key() + ": between 1ms and 1m (a sign-in waits"
                    + " for it)");
        }
        return Optional.of(new BerthConfig.Oidc(uri, required(oidc, "client-id"), secret,
                oidc.get("groups-claim").asString().orElse("groups"), List.copyOf(scopes),
                oidc.get("ca-file").asString().asOptional().map(file -> readable(oidc.get("ca-file"), file)),
                timeout));
    }

    /** A rule's list of users, {@code @group}s (which must be in {@code groups} when {@code declared}) and {@code *}. */
    private static List<String> principals(Config rule, String action, Map<String, List<String>> groups,
                                           boolean declared) {
        List<String> names = rule.get(action).asList(String.class).orElse(List.of());
        for (String name : names) {
            if (declared && name.startsWith("@") && !groups.containsKey(name.substring(1))) {
                throw new IllegalArgumentException(rule.get(action).key() + ": no group " + name.substring(1)
                        + " in auth.groups");
            }
        }
        return List.copyOf(names);
    }

    private static boolean anonymous(Config auth, String kind, String fallback) {
        return auth.get("anonymous").get(kind).asString().orElse(fallback).equals("pull");
    }

    /** A file named by the configuration, which berth must be able to read at start. */
    private static Path readable(Config node, String file) {
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(node.key() + ": cannot read " + path.toAbsolutePath());
        }
        return path;
    }

    /** A private glob that could match a cached name would let pushes land in (or read from) a mirror's cache. */
    private static void checkPrivateGlobs(List<String> globs, List<BerthConfig.Upstream> upstreams) {
        for (String glob : globs) {
            checkNotMirrored("private.repositories", glob, upstreams, "");
        }
    }

    private static void checkNotMirrored(String key, String glob, List<BerthConfig.Upstream> upstreams,
                                         String why) {
        String literal = glob.contains("*") ? glob.substring(0, glob.indexOf('*')) : glob;
        for (BerthConfig.Upstream u : upstreams) {
            String cached = u.registry() + "/";
            if (cached.startsWith(literal) || literal.startsWith(cached)) {
                throw new IllegalArgumentException(key + ": " + glob + " could match names under " + cached
                        + ", where berth keeps its cache of upstream " + u.registry() + why);
            }
        }
    }

    /** {@code retention.rules}: each names private repositories, and keeps or removes what its keys say. */
    private static List<BerthConfig.RetentionRule> retention(Config list, List<BerthConfig.Upstream> upstreams) {
        List<BerthConfig.RetentionRule> rules = new ArrayList<>();
        for (Config rule : list.asNodeList().orElse(List.of())) {
            OptionalInt keepLast = rule.get("keep-last").asInt().map(OptionalInt::of).orElse(OptionalInt.empty());
            rules.add(new BerthConfig.RetentionRule(repositoryGlobs(rule, upstreams, "retention rules"), keepLast,
                    tagGlobs(rule.get("keep-tags")), duration(rule, "untagged-after", "1d")));
        }
        return List.copyOf(rules);
    }

    /** {@code immutable}: tags of private repositories that, once pushed, never point elsewhere. */
    private static List<BerthConfig.ImmutableRule> immutable(Config list, List<BerthConfig.Upstream> upstreams) {
        List<BerthConfig.ImmutableRule> rules = new ArrayList<>();
        for (Config rule : list.asNodeList().orElse(List.of())) {
            List<NameGlob> tags = tagGlobs(rule.get("tags"));
            if (tags.isEmpty()) {
                throw new IllegalArgumentException(rule.key() + ".tags must list at least one tag glob, such as v*");
            }
            rules.add(new BerthConfig.ImmutableRule(repositoryGlobs(rule, upstreams, "immutable tags"), tags));
        }
        return List.copyOf(rules);
    }

    /** A rule's {@code repositories}: globs of repository names, none of them able to match a mirror's cache. */
    private static List<NameGlob> repositoryGlobs(Config rule, List<BerthConfig.Upstream> upstreams, String what) {
        Config node = rule.get("repositories");
        List<String> globs = node.asList(String.class).orElse(List.of());
        if (globs.isEmpty()) {
            throw new IllegalArgumentException(node.key() + " must list at least one name glob, such as team/*");
        }
        for (String glob : globs) {
            // Each * stands for some characters: the rest must fit the name grammar around them.
            if (!RepoName.isValid(glob.replace("*", "x"))) {
                throw new IllegalArgumentException(node.key() + ": " + glob + " is not a repository name glob (lower-"
                        + "case components separated by slashes, * for any run of characters, as in team/*)");
            }
            checkNotMirrored(node.key().toString(), glob, upstreams, ": " + what + " are for private repositories"
                    + " only");
        }
        return globs.stream().map(NameGlob::of).toList();
    }

    private static List<NameGlob> tagGlobs(Config node) {
        List<String> globs = node.asList(String.class).orElse(List.of());
        for (String glob : globs) {
            if (!Reference.Tag.isValid(glob.replace("*", "x"))) {
                throw new IllegalArgumentException(node.key() + ": " + glob + " is not a tag glob (letters, digits,"
                        + " _ . and -, * for any run of them, as in v* or release-*)");
            }
        }
        return globs.stream().map(NameGlob::of).toList();
    }

    /**
     * An upstream that decides who may pull ({@code access: caller}) is asked at berth's token endpoint, with the
     * login a client gives berth: that needs logins on and the token flow.
     */
    private static void checkCallerAccess(List<BerthConfig.Upstream> upstreams, BerthConfig.Auth auth) {
        for (BerthConfig.Upstream u : upstreams) {
            boolean tokens = auth.enabled() && auth.scheme() == BerthConfig.Scheme.BEARER;
            if (u.access() == BerthConfig.Access.CALLER && !tokens) {
                throw new IllegalArgumentException("mirror.upstreams: " + u.registry() + " has access: caller, which"
                        + " needs logins (auth.htpasswd; an empty file will do) and auth.scheme: bearer");
            }
        }
    }

    private static List<BerthConfig.Upstream> upstreams(Config list) {
        List<BerthConfig.Upstream> result = new ArrayList<>();
        for (Config u : list.asNodeList().orElse(List.of())) {
            Optional<String> password = u.get("password").asString().asOptional()
                    .or(() -> u.get("password-file").asString().asOptional().map(ConfigLoader::readSecret));
            String registry = required(u, "registry");
            if (!REGISTRY_NAME.matcher(registry).matches()) {
                throw new IllegalArgumentException(u.get("registry").key() + ": " + registry + " is not a lower-case"
                        + " host name without a port, such as docker.io (it prefixes the names of cached content)");
            }
            if (result.stream().anyMatch(other -> other.registry().equals(registry))) {
                throw new IllegalArgumentException("mirror.upstreams: " + registry + " is configured twice");
            }
            String url = required(u, "url");
            namePrefix(u.get("url"), url);
            Duration revalidateTimeout = duration(u, "revalidate-timeout", "5s");
            if (revalidateTimeout.isZero()) {
                throw new IllegalArgumentException(u.get("revalidate-timeout").key() + ": at least 1ms");
            }
            long maxDocument = bytes(u, "max-document-size", "8MiB");
            if (maxDocument < 1024 || maxDocument > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(u.get("max-document-size").key() + ": between 1KiB and 2GiB");
            }
            result.add(new BerthConfig.Upstream(registry, url, u.get("default").asBoolean().orElse(false),
                    duration(u, "tag-ttl", "5m"), duration(u, "negative-ttl", "30s"),
                    u.get("username").asString().asOptional(), password,
                    duration(u, "connect-timeout", "10s"), duration(u, "read-timeout", "60s"),
                    revalidateTimeout, maxDocument,
                    u.get("access").asString().orElse("berth").equals("caller")
                            ? BerthConfig.Access.CALLER : BerthConfig.Access.BERTH,
                    positive(u, "access-ttl", "1m")));
        }
        if (result.stream().filter(BerthConfig.Upstream::isDefault).count() > 1) {
            throw new IllegalArgumentException("mirror.upstreams: only one upstream may be default: true");
        }
        return List.copyOf(result);
    }

    /**
     * An upstream URL's path is a prefix of every name asked there (a central berth's {@code /ghcr.io}), so it must be
     * a repository name; nothing may follow the path.
     */
    private static void namePrefix(Config node, String url) {
        String path = httpUrl(node, url).getPath().replaceAll("^/+|/+$", "");
        if (!path.isEmpty() && !RepoName.isValid(path)) {
            throw new IllegalArgumentException(node.key() + ": the path of " + url + " is not a repository name prefix"
                    + " (lower-case name components, such as http://central:5000/ghcr.io)");
        }
    }

    private static List<BerthConfig.Sync> sync(Config list) {
        List<BerthConfig.Sync> result = new ArrayList<>();
        for (Config entry : list.asNodeList().orElse(List.of())) {
            String repository = required(entry, "repository");
            List<NameGlob> tags = entry.get("tags").asList(String.class).orElse(List.of()).stream()
                    .map(NameGlob::of).toList();
            Optional<VersionRange> versions = entry.get("versions").asString().asOptional()
                    .map(text -> parseValue(entry, "versions", text, VersionRange::parse));
            if (tags.isEmpty() && versions.isEmpty()) {
                throw new IllegalArgumentException(entry.key() + " needs tags (globs, as [\"latest\", \"1.36*\"]) or"
                        + " versions (a range, as \">=1.36 <2\")");
            }
            List<Platform> platforms = new ArrayList<>();
            for (Config platform : entry.get("platforms").asNodeList().orElse(List.of())) {
                platforms.add(parseValue(platform, "", platform.asString().orElse(""), Platform::parse));
            }
            Duration interval = duration(entry, "interval", "1h");
            if (interval.compareTo(MIN_SYNC_INTERVAL) < 0) {
                throw new IllegalArgumentException(entry.get("interval").key() + ": at least 1m");
            }
            result.add(new BerthConfig.Sync(repository, tags, versions, List.copyOf(platforms), interval));
        }
        return List.copyOf(result);
    }

    private static List<BerthConfig.Policy> policy(Config list) {
        List<BerthConfig.Policy> result = new ArrayList<>();
        for (Config entry : list.asNodeList().orElse(List.of())) {
            List<NameGlob> repositories = entry.get("repositories").asList(String.class).orElse(List.of()).stream()
                    .map(NameGlob::of).toList();
            List<Path> keys = entry.get("keys").asList(String.class).orElse(List.of()).stream().map(Path::of)
                    .toList();
            if (repositories.isEmpty() || keys.isEmpty()) {
                throw new IllegalArgumentException(entry.key() + " needs repositories (globs, as"
                        + " [\"docker.io/myorg/*\"]) and keys (PEM public key files)");
            }
            required(entry, "require");
            BerthConfig.PolicyMode mode = entry.get("mode").asString().orElse("enforce").equals("warn")
                    ? BerthConfig.PolicyMode.WARN : BerthConfig.PolicyMode.ENFORCE;
            result.add(new BerthConfig.Policy(repositories, keys, mode));
        }
        return List.copyOf(result);
    }

    private static String readSecret(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read password-file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String required(Config node, String key) {
        return node.get(key).asString().orElseThrow(
                () -> new IllegalArgumentException("missing configuration key: " + node.get(key).key()));
    }

    private static long bytes(Config node, String key, String fallback) {
        return parse(node, key, fallback, Units::bytes);
    }

    private static OptionalInt count(Config node, String key) {
        return node.get(key).asInt().map(OptionalInt::of).orElseGet(OptionalInt::empty);
    }

    /** A duration that must not be zero: a connection bound of 0 would close every connection at once. */
    private static Duration positive(Config node, String key, String fallback) {
        Duration value = duration(node, key, fallback);
        if (value.isZero()) {
            throw new IllegalArgumentException(node.get(key).key() + ": must be longer than 0");
        }
        return value;
    }

    private static Duration duration(Config node, String key, String fallback) {
        return parse(node, key, fallback, Units::duration);
    }

    /** Parses the value at {@code key} (or {@code fallback}); a bad value fails with a message naming the key. */
    private static <T> T parse(Config node, String key, String fallback, Function<String, T> parser) {
        return parseValue(node, key, node.get(key).asString().orElse(fallback), parser);
    }

    /** Parses {@code text}, the value at {@code key} (empty: the node itself); a bad value names the key. */
    private static <T> T parseValue(Config node, String key, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((key.isEmpty() ? node : node.get(key)).key() + ": " + e.getMessage(), e);
        }
    }
}
