package dev.berth.config;

import java.util.List;
import java.util.Optional;

/**
 * Every key berth.yaml may hold with the type of its value: the one list that the check of values, the suggestions
 * for misspelt keys and the environment overrides all read. A new key is a new line here.
 */
final class ConfigKeys {
    static final List<ConfigKey> ALL = List.of(
            ConfigKey.of("server.host", ValueType.TEXT),
            ConfigKey.of("server.port", ValueType.PORT),
            ConfigKey.of("server.tls.cert", ValueType.TEXT),
            ConfigKey.of("server.tls.key", ValueType.TEXT),
            ConfigKey.of("server.tls.redirect-port", ValueType.PORT),
            ConfigKey.of("storage.root", ValueType.TEXT),
            ConfigKey.of("storage.upload-timeout", ValueType.DURATION),
            ConfigKey.of("storage.s3.endpoint", ValueType.URL),
            ConfigKey.of("storage.s3.region", ValueType.TEXT),
            ConfigKey.of("storage.s3.bucket", ValueType.TEXT),
            ConfigKey.of("storage.s3.path-style", ValueType.BOOLEAN),
            ConfigKey.of("storage.s3.access-key", ValueType.TEXT),
            ConfigKey.of("storage.s3.secret-key", ValueType.TEXT),
            ConfigKey.of("storage.s3.redirect", ValueType.BOOLEAN),
            ConfigKey.of("storage.s3.local-cache.max-bytes", ValueType.SIZE),
            ConfigKey.of("cluster.peers.#", ValueType.URL),
            ConfigKey.of("cluster.peers-dns", ValueType.URL),
            ConfigKey.of("cluster.self", ValueType.URL),
            ConfigKey.of("cluster.secret-file", ValueType.TEXT),
            ConfigKey.of("limits.max-manifest-size", ValueType.SIZE),
            ConfigKey.of("limits.max-upload-size", ValueType.SIZE),
            ConfigKey.of("limits.max-requests", ValueType.COUNT),
            ConfigKey.of("limits.max-requests-per-client", ValueType.COUNT),
            ConfigKey.of("limits.body-timeout", ValueType.DURATION),
            ConfigKey.of("limits.body-min-rate", ValueType.SIZE),
            ConfigKey.of("limits.max-upload-sessions", ValueType.COUNT),
            ConfigKey.of("limits.max-upload-sessions-per-client", ValueType.COUNT),
            ConfigKey.of("limits.max-connections", ValueType.COUNT),
            ConfigKey.of("limits.max-connections-per-client", ValueType.COUNT),
            ConfigKey.of("limits.request-head-timeout", ValueType.DURATION),
            ConfigKey.of("limits.idle-timeout", ValueType.DURATION),
            ConfigKey.of("mirror.upstreams.#.registry", ValueType.TEXT),
            ConfigKey.of("mirror.upstreams.#.url", ValueType.URL),
            ConfigKey.of("mirror.upstreams.#.default", ValueType.BOOLEAN),
            ConfigKey.of("mirror.upstreams.#.tag-ttl", ValueType.DURATION),
            ConfigKey.of("mirror.upstreams.#.negative-ttl", ValueType.DURATION),
            ConfigKey.of("mirror.upstreams.#.username", ValueType.TEXT),
            ConfigKey.of("mirror.upstreams.#.password", ValueType.TEXT),
            ConfigKey.of("mirror.upstreams.#.password-file", ValueType.TEXT),
            ConfigKey.of("mirror.upstreams.#.connect-timeout", ValueType.DURATION),
            ConfigKey.of("mirror.upstreams.#.read-timeout", ValueType.DURATION),
            ConfigKey.of("mirror.upstreams.#.revalidate-timeout", ValueType.DURATION),
            ConfigKey.of("mirror.upstreams.#.max-document-size", ValueType.SIZE),
            ConfigKey.of("mirror.upstreams.#.access", ValueType.oneOf("berth", "caller")),
            ConfigKey.of("mirror.upstreams.#.access-ttl", ValueType.DURATION),
            ConfigKey.of("mirror.sync.#.repository", ValueType.TEXT),
            ConfigKey.of("mirror.sync.#.tags.#", ValueType.TEXT),
            ConfigKey.of("mirror.sync.#.versions", ValueType.TEXT),
            ConfigKey.of("mirror.sync.#.platforms.#", ValueType.TEXT),
            ConfigKey.of("mirror.sync.#.interval", ValueType.DURATION),
            ConfigKey.of("private.repositories.#", ValueType.TEXT),
            ConfigKey.of("auth.htpasswd", ValueType.TEXT),
            ConfigKey.of("auth.scheme", ValueType.oneOf("bearer", "basic")),
            ConfigKey.of("auth.token-ttl", ValueType.DURATION),
            ConfigKey.of("auth.groups.*.#", ValueType.TEXT),
            ConfigKey.of("auth.anonymous.mirrored", ValueType.oneOf("pull", "none")),
            ConfigKey.of("auth.anonymous.private", ValueType.oneOf("pull", "none")),
            ConfigKey.of("auth.rules.#.repositories.#", ValueType.TEXT),
            ConfigKey.of("auth.rules.#.pull.#", ValueType.TEXT),
            ConfigKey.of("auth.rules.#.push.#", ValueType.TEXT),
            ConfigKey.of("auth.rules.#.delete.#", ValueType.TEXT),
            ConfigKey.of("auth.rules.#.admin.#", ValueType.TEXT),
            ConfigKey.of("auth.trusted-proxies.#", ValueType.ADDRESS_RANGE),
            ConfigKey.of("auth.oidc.issuer", ValueType.TEXT),
            ConfigKey.of("auth.oidc.client-id", ValueType.TEXT),
            ConfigKey.of("auth.oidc.client-secret-file", ValueType.TEXT),
            ConfigKey.of("auth.oidc.groups-claim", ValueType.TEXT),
            ConfigKey.of("auth.oidc.scopes.#", ValueType.TEXT),
            ConfigKey.of("auth.oidc.ca-file", ValueType.TEXT),
            ConfigKey.of("auth.oidc.timeout", ValueType.DURATION),
            ConfigKey.of("cache.max-bytes", ValueType.SIZE),
            ConfigKey.of("cache.gc-grace", ValueType.DURATION),
            ConfigKey.of("cache.pin.#", ValueType.TEXT),
            ConfigKey.of("retention.rules.#.repositories.#", ValueType.TEXT),
            ConfigKey.of("retention.rules.#.keep-last", ValueType.KEEP_COUNT),
            ConfigKey.of("retention.rules.#.keep-tags.#", ValueType.TEXT),
            ConfigKey.of("retention.rules.#.untagged-after", ValueType.DURATION),
            ConfigKey.of("immutable.#.repositories.#", ValueType.TEXT),
            ConfigKey.of("immutable.#.tags.#", ValueType.TEXT),
            ConfigKey.of("policy.#.repositories.#", ValueType.TEXT),
            ConfigKey.of("policy.#.require", ValueType.oneOf("signature")),
            ConfigKey.of("policy.#.keys.#", ValueType.TEXT),
            ConfigKey.of("policy.#.mode", ValueType.oneOf("enforce", "warn")));

    private ConfigKeys() {
    }

    /** The known key that {@code path} is one of. */
    static Optional<ConfigKey> find(List<String> path) {
        return ALL.stream().filter(key -> key.matches(path)).findFirst();
    }
}
