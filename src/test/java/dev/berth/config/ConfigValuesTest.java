package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A bad value of every type stops berth with a message naming the key, the value and what is expected. */
class ConfigValuesTest {
    private static final String UPSTREAM = "mirror: {upstreams: [{registry: docker.io, url: 'https://r.io', ";

    @Test
    void booleans() {
        assertEquals("mirror.upstreams.0.default: not a boolean: 'yes please' (expected true or false)",
                fails(UPSTREAM + "default: yes please}]}"));
        assertEquals("mirror.upstreams.0.default: not a boolean: '1' (expected true or false)",
                fails(UPSTREAM + "default: 1}]}"));
    }

    @Test
    void numbers() {
        assertEquals("server.port: not a port: '17501x' (expected a whole number from 0 to 65535)",
                fails("server: {port: 17501x}"));
        assertEquals("server.port: not a port: '70000' (expected a whole number from 0 to 65535)",
                fails("server: {port: 70000}"));
        assertEquals("limits.max-requests: not a count: '0' (expected a whole number of at least 1)",
                fails("limits: {max-requests: 0}"));
        assertEquals("limits.max-requests-per-client: not a count: '99999999999' (expected a whole number of at"
                + " least 1)", fails("limits: {max-requests-per-client: 99999999999}"));
    }

    @Test
    void sizes() {
        assertEquals("cache.max-bytes: not a size: 'lots' (expected a number of bytes with an optional unit: 512KiB,"
                + " 4MiB, 200GiB)", fails("cache: {max-bytes: lots}"));
        assertEquals("limits.max-upload-size: too large: '99999999999TiB' (expected a number of bytes with an"
                + " optional unit: 512KiB, 4MiB, 200GiB)", fails("limits: {max-upload-size: 99999999999TiB}"));
    }

    @Test
    void durations() {
        assertEquals("mirror.upstreams.0.tag-ttl: not a duration: '5' (expected a number with a unit: 500ms, 2s,"
                + " 5m, 1h, 7d)", fails(UPSTREAM + "tag-ttl: 5}]}"));
        assertEquals("storage.upload-timeout: not a duration: 'soon' (expected a number with a unit: 500ms, 2s, 5m,"
                + " 1h, 7d)", fails("storage: {upload-timeout: soon}"));
    }

    @Test
    void urls() {
        assertEquals("mirror.upstreams.0.url: not an http:// or https:// URL: 'ftp://r.io' (expected such as"
                + " https://registry-1.docker.io)",
                fails("mirror: {upstreams: [{registry: docker.io, url: 'ftp://r.io'}]}"));
        assertEquals("mirror.upstreams.0.url: not an http:// or https:// URL: 'registry-1.docker.io' (expected such"
                + " as https://registry-1.docker.io)",
                fails("mirror: {upstreams: [{registry: docker.io, url: registry-1.docker.io}]}"));
        assertEquals("mirror.upstreams.0.url: the path of http://central:5000/GHCR.io is not a repository name prefix"
                + " (lower-case name components, such as http://central:5000/ghcr.io)",
                fails("mirror: {upstreams: [{registry: ghcr.io, url: 'http://central:5000/GHCR.io'}]}"));
    }

    @Test
    void choices() {
        assertEquals("auth.scheme: not one of bearer, basic: 'digest' (expected bearer or basic)",
                fails("auth: {scheme: digest}"));
        assertEquals("auth.anonymous.private: not one of pull, none: 'maybe' (expected pull or none)",
                fails("auth: {anonymous: {private: maybe}}"));
    }

    @Test
    void emptyValues() {
        assertEquals("server.host: no value (expected a value: some text)", fails("server: {host: ''}"));
        assertEquals("server.port: no value (expected a port: a whole number from 0 to 65535)",
                fails("server: {port: ~}"));
    }

    @Test
    void listsAndSections() {
        assertEquals("private.repositories: 'team/*' is a single value, but private.repositories is a list (expected"
                + " [first, second] or, one per line, \"- first\")", fails("private: {repositories: 'team/*'}"));
        assertEquals("mirror.upstreams: 'docker.io' is a single value, but mirror.upstreams is a list (expected"
                + " [first, second] or, one per line, \"- first\")", fails("mirror: {upstreams: docker.io}"));
        assertEquals("server: '5000' is a single value, but server is a section (expected keys such as server.host)",
                fails("server: 5000"));
        assertEquals("server.port is a single value, not a section (found server.port.number; expected a port: a"
                + " whole number from 0 to 65535)", fails("server: {port: {number: 5000}}"));
    }

    @Test
    void unknownKeysSuggestTheCloseKnownOne() {
        assertEquals("unknown configuration key: mirror.upstream.0.registry (did you mean mirror.upstreams?)",
                fails("mirror: {upstream: [{registry: docker.io, url: 'https://r.io'}]}"));
        assertEquals("unknown configuration key: storage.rooot (did you mean storage.root?)",
                fails("storage: {rooot: /x}"));
        assertEquals("unknown configuration key: sever.port (did you mean server?)", fails("sever: {port: 5000}"));
        assertEquals("unknown configuration key: mirror.upstreams.0.tagttl (did you mean mirror.upstreams.0.tag-ttl?)",
                fails(UPSTREAM + "tagttl: 5m}]}"));
        assertEquals("unknown configuration key: logging.level", fails("logging: {level: debug}"));
    }

    static String fails(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> ConfigLoader.fromYaml(yaml)).getMessage();
    }
}
