package dev.berth.config;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Reads berth.yaml into a {@link BerthConfig}; unknown keys and bad values fail with a message naming the key. */
public final class ConfigLoader {
    private static final List<Pattern> KNOWN_KEYS = List.of(
            "server\\.host", "server\\.port", "server\\.tls\\.(cert|key)",
            "storage\\.root", "storage\\.upload-timeout",
            "limits\\.max-manifest-size", "limits\\.max-upload-size",
            "mirror\\.upstreams\\.\\d+\\.(registry|url|default|tag-ttl|negative-ttl|username|password|password-file"
                    + "|connect-timeout|read-timeout)",
            "private\\.repositories\\.\\d+",
            "auth\\.htpasswd", "cache\\.max-bytes").stream().map(Pattern::compile).toList();

    /** One or more repository-name components: a host name in lower case, with no port. */
    private static final Pattern REGISTRY_NAME = Pattern.compile("[a-z0-9]+(?:[.-][a-z0-9]+)*");

    private ConfigLoader() {
    }

    /** Loads a YAML file. */
    public static BerthConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("configuration file not found: " + file.toAbsolutePath());
        }
        return from(Config.builder(ConfigSources.file(file))
                .disableEnvironmentVariablesSource().disableSystemPropertiesSource().build());
    }

    /** Parses YAML text (tests use this). */
    public static BerthConfig fromYaml(String yaml) {
        return from(Config.just(yaml, MediaTypes.APPLICATION_X_YAML));
    }

    /** The configuration with every default: port 5000 on all addresses, data in ./data. */
    public static BerthConfig defaults() {
        return fromYaml("{}");
    }

    private static BerthConfig from(Config root) {
        checkKeys(root);
        refuseUnavailable(root, "auth.htpasswd", "authentication");
        Config server = root.get("server");
        refuseUnavailable(server, "tls", "TLS");
        int port = server.get("port").asInt().orElse(5000);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("server.port must be 0..65535, not " + port);
        }
        Config storage = root.get("storage");
        Config limits = root.get("limits");
        long maxManifest = bytes(limits, "max-manifest-size", "4MiB");
        List<BerthConfig.Upstream> upstreams = upstreams(root.get("mirror.upstreams"));
        List<String> privateGlobs = root.get("private.repositories").asList(String.class).orElse(List.of());
        checkPrivateGlobs(privateGlobs, upstreams);
        if (maxManifest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("limits.max-manifest-size is too large");
        }
        return new BerthConfig(
                new BerthConfig.Server(server.get("host").asString().orElse("0.0.0.0"), port),
                new BerthConfig.Storage(Path.of(storage.get("root").asString().orElse("./data")),
                        duration(storage, "upload-timeout", "24h")),
                new BerthConfig.Limits((int) maxManifest, bytes(limits, "max-upload-size", "0")),
                new BerthConfig.Mirror(upstreams),
                new BerthConfig.PrivateRepos(privateGlobs));
    }

    /** A private glob that could match a cached name would let pushes land in (or read from) a mirror's cache. */
    private static void checkPrivateGlobs(List<String> globs, List<BerthConfig.Upstream> upstreams) {
        for (String glob : globs) {
            String literal = glob.contains("*") ? glob.substring(0, glob.indexOf('*')) : glob;
            for (BerthConfig.Upstream u : upstreams) {
                String cached = u.registry() + "/";
                if (cached.startsWith(literal) || literal.startsWith(cached)) {
                    throw new IllegalArgumentException("private.repositories: " + glob + " could match names under "
                            + cached + ", where berth keeps its cache of upstream " + u.registry());
                }
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
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new IllegalArgumentException(u.get("url").key() + ": must start with http:// or https://");
            }
            result.add(new BerthConfig.Upstream(registry, url, u.get("default").asBoolean().orElse(false),
                    duration(u, "tag-ttl", "5m"), duration(u, "negative-ttl", "30s"),
                    u.get("username").asString().asOptional(), password,
                    duration(u, "connect-timeout", "10s"), duration(u, "read-timeout", "60s")));
        }
        if (result.stream().filter(BerthConfig.Upstream::isDefault).count() > 1) {
            throw new IllegalArgumentException("mirror.upstreams: only one upstream may be default: true");
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

    /**
     * Fails on a key whose feature this version lacks and whose silent absence would be unsafe (serving without the
     * authentication or encryption the operator asked for).
     */
    private static void refuseUnavailable(Config root, String key, String feature) {
        if (root.get(key).exists()) {
            throw new IllegalArgumentException(key + ": " + feature + " is not available in this version of berth;"
                    + " remove the key to serve without it");
        }
    }

    private static void checkKeys(Config root) {
        root.traverse().filter(Config::isLeaf).map(c -> c.key().toString())
                .filter(key -> KNOWN_KEYS.stream().noneMatch(p -> p.matcher(key).matches()))
                .findFirst().ifPresent(key -> {
                    throw new IllegalArgumentException("unknown configuration key: " + key);
                });
    }

    private static String required(Config node, String key) {
        return node.get(key).asString().orElseThrow(
                () -> new IllegalArgumentException("missing configuration key: " + node.get(key).key()));
    }

    private static long bytes(Config node, String key, String fallback) {
        return parse(node, key, fallback, Units::bytes);
    }

    private static Duration duration(Config node, String key, String fallback) {
        return parse(node, key, fallback, Units::duration);
    }

    /** Parses the value at {@code key} (or {@code fallback}); a bad value fails with a message naming the key. */
    private static <T> T parse(Config node, String key, String fallback, Function<String, T> parser) {
        String text = node.get(key).asString().orElse(fallback);
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(node.get(key).key() + ": " + e.getMessage(), e);
        }
    }
}
