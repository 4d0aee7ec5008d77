package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @Test
    void defaults() {
        BerthConfig c = ConfigLoader.defaults();
        assertEquals("0.0.0.0", c.server().host());
        assertEquals(5000, c.server().port());
        assertEquals(Path.of("./data"), c.storage().root());
        assertEquals(4 * 1024 * 1024, c.limits().maxManifestBytes());
        assertEquals(0, c.limits().maxUploadBytes());
        assertEquals(Duration.ofSeconds(30), c.limits().bodyTimeout());
        assertEquals(1024, c.limits().bodyMinRate());
        assertEquals(4096, c.limits().maxUploadSessions());
        assertEquals(256, c.limits().maxUploadSessionsPerClient());
        assertEquals(Duration.ofHours(1), c.cache().gcGrace());
        assertFalse(c.cache().hasBudget(), "no budget unless configured");
    }

    @Test
    void shippedConfigurationLoads() {
        BerthConfig c = ConfigLoader.load(Path.of("etc/berth.yaml"));
        assertEquals(5000, c.server().port());
    }

    @Test
    void sectionsAndUnits() {
        BerthConfig c = ConfigLoader.fromYaml("""
                server: {port: 5001}
                storage: {root: /srv/berth, upload-timeout: 2h}
                limits: {max-upload-size: 10GiB, body-timeout: 5s, body-min-rate: 0, max-upload-sessions: 9,
                         max-upload-sessions-per-client: 3}
                mirror:
                  upstreams:
                    - {registry: docker.io, url: 'https://registry-1.docker.io', default: true, tag-ttl: 90s}
                private: {repositories: ['team/*']}
                cache: {gc-grace: 30m, max-bytes: 200GiB, pin: ['docker.io/library/*', 'ghcr.io/org/app:1.2']}
                """);
        assertEquals(200L << 30, c.cache().maxBytes());
        assertEquals(List.of("docker.io/library/*"), c.cache().pinRepositories());
        assertEquals(List.of("ghcr.io/org/app:1.2"), c.cache().pinTags());
        assertEquals(Duration.ofHours(2), c.storage().uploadTimeout());
        assertEquals(Duration.ofMinutes(30), c.cache().gcGrace());
        assertEquals(10L << 30, c.limits().maxUploadBytes());
        assertEquals(Duration.ofSeconds(5), c.limits().bodyTimeout());
        assertEquals(0, c.limits().bodyMinRate());
        assertEquals(9, c.limits().maxUploadSessions());
        assertEquals(3, c.limits().maxUploadSessionsPerClient());
        assertEquals(Duration.ofSeconds(90), c.mirror().defaultUpstream().orElseThrow().tagTtl());
        assertEquals("team/*", c.privateRepos().repositories().getFirst());
    }

    @Test
    void mistakesNameTheKey() {
        assertTrue(fails("storage: {rooot: /x}").contains("storage.rooot"));
        assertTrue(fails("server: {port: 70000}").contains("server.port"));
        assertTrue(fails("storage: {upload-timeout: soon}").contains("storage.upload-timeout"));
        assertTrue(fails("cache: {gc-grace: later}").contains("cache.gc-grace"));
        assertTrue(fails("cache: {max-bytes: lots}").contains("cache.max-bytes"));
        assertTrue(fails("cache: {pin: ['docker.io/library/*:latest']}").contains("cache.pin"));
        assertTrue(fails("cache: {pin: ['docker.io/library/busybox:']}").contains("cache.pin"));
        assertTrue(fails("server: {tls: {cert: /nonexistent/c.pem, key: /nonexistent/k.pem}}")
                .contains("server.tls.cert: cannot read"));
        assertTrue(fails("server: {tls: {cert: /c.pem}}").contains("both cert and key"));
        assertTrue(fails("limits: {max-requests: 0}").contains("limits.max-requests"));
        assertTrue(fails("limits: {body-timeout: 0s}").contains("limits.body-timeout must be at least 1ms"));
        assertTrue(fails("limits: {body-min-rate: fast}").contains("limits.body-min-rate"));
        assertTrue(fails("limits: {max-upload-sessions-per-client: 0}")
                .contains("limits.max-upload-sessions-per-client"));
        assertTrue(fails("cache: {max-bytes: 99999999999TiB}").contains("cache.max-bytes: too large: '99999999999TiB'"));
        assertTrue(fails("cache: {max-bytes: 99999999999999999999}").contains("cache.max-bytes: too large"));
        assertTrue(fails("cache: {gc-grace: 999999999999999d}").contains("cache.gc-grace: too large"));
        assertTrue(fails("mirror: {upstreams: [{url: 'http://x'}]}").contains("registry"));
    }

    @Test
    void upstreamsAreCheckedAtStart() {
        assertTrue(fails("mirror: {upstreams: [{registry: 'localhost:5000', url: 'http://x'}]}")
                .contains("without a port"));
        assertTrue(fails("mirror: {upstreams: [{registry: Docker.io, url: 'http://x'}]}").contains("lower-case"));
        assertTrue(fails("mirror: {upstreams: [{registry: r, url: 'ftp://x'}]}").contains("http://"));
        assertTrue(fails("mirror: {upstreams: [{registry: r, url: 'http://a'}, {registry: r, url: 'http://b'}]}")
                .contains("configured twice"));
        assertTrue(fails("mirror: {upstreams: [{registry: a, url: 'http://a', default: true},"
                + " {registry: b, url: 'http://b', default: true}]}").contains("only one"));
        BerthConfig c = ConfigLoader.fromYaml(
                "mirror: {upstreams: [{registry: ghcr.io, url: 'https://ghcr.io', negative-ttl: 2s}]}");
        assertEquals(Duration.ofSeconds(2), c.mirror().upstreams().getFirst().negativeTtl());
        assertEquals(Duration.ofMinutes(5), c.mirror().upstreams().getFirst().tagTtl());
        assertEquals(Duration.ofSeconds(5), c.mirror().upstreams().getFirst().revalidateTimeout());
        assertEquals(8L << 20, c.mirror().upstreams().getFirst().maxDocumentBytes());
    }

    @Test
    void upstreamRevalidateTimeoutAndDocumentSize() {
        BerthConfig c = ConfigLoader.fromYaml("mirror: {upstreams: [{registry: ghcr.io, url: 'https://ghcr.io',"
                + " revalidate-timeout: 1500ms, max-document-size: 2MiB}]}");
        assertEquals(Duration.ofMillis(1500), c.mirror().upstreams().getFirst().revalidateTimeout());
        assertEquals(2L << 20, c.mirror().upstreams().getFirst().maxDocumentBytes());
        String upstream = "mirror: {upstreams: [{registry: ghcr.io, url: 'https://ghcr.io', ";
        assertTrue(fails(upstream + "revalidate-timeout: 0s}]}").contains("mirror.upstreams.0.revalidate-timeout"));
        assertTrue(fails(upstream + "revalidate-timeout: soon}]}").contains("mirror.upstreams.0.revalidate-timeout"));
        assertTrue(fails(upstream + "max-document-size: 100B}]}").contains("mirror.upstreams.0.max-document-size"));
        assertTrue(fails(upstream + "max-document-size: 3GiB}]}").contains("mirror.upstreams.0.max-document-size"));
    }

    @Test
    void callerAccessNeedsLoginsAndTokens() {
        String upstream = "mirror: {upstreams: [{registry: ghcr.io, url: 'https://ghcr.io', ";
        BerthConfig c = ConfigLoader.fromYaml(upstream + "access: caller, access-ttl: 30s}]}\n"
                + "auth: {htpasswd: etc/htpasswd}");
        assertEquals(BerthConfig.Access.CALLER, c.mirror().upstreams().getFirst().access());
        assertEquals(Duration.ofSeconds(30), c.mirror().upstreams().getFirst().accessTtl());
        BerthConfig byDefault = ConfigLoader.fromYaml(upstream + "}]}");
        assertEquals(BerthConfig.Access.BERTH, byDefault.mirror().upstreams().getFirst().access());
        assertEquals(Duration.ofMinutes(1), byDefault.mirror().upstreams().getFirst().accessTtl());

        assertEquals("mirror.upstreams: ghcr.io has access: caller, which needs logins (auth.htpasswd; an empty file"
                + " will do) and auth.scheme: bearer", fails(upstream + "access: caller}]}"));
        assertTrue(fails(upstream + "access: caller}]}\nauth: {htpasswd: etc/htpasswd, scheme: basic}")
                .contains("auth.scheme: bearer"));
        assertTrue(fails(upstream + "access: upstream}]}").contains("mirror.upstreams.0.access"));
        assertEquals("mirror.upstreams.0.access-ttl: must be longer than 0",
                fails(upstream + "access: caller, access-ttl: 0s}]}\nauth: {htpasswd: etc/htpasswd}"));
        assertTrue(fails(upstream + "access-ttl: a while}]}").contains("mirror.upstreams.0.access-ttl"));
    }

    @Test
    void privateNamesMayNotReachIntoACache() {
        String upstream = "mirror: {upstreams: [{registry: docker.io, url: 'https://registry-1.docker.io'}]}\n";
        assertTrue(fails(upstream + "private: {repositories: ['docker.io/*']}").contains("cache of upstream docker.io"));
        assertTrue(fails(upstream + "private: {repositories: ['*']}").contains("docker.io/"));
        assertTrue(fails(upstream + "private: {repositories: ['d*']}").contains("docker.io/"));
        assertEquals(2, ConfigLoader.fromYaml(upstream + "private: {repositories: ['team/*', 'alice']}")
                .privateRepos().repositories().size());
    }

    @Test
    void authSection() {
        BerthConfig.Auth none = ConfigLoader.defaults().auth();
        assertFalse(none.enabled());
        assertEquals(BerthConfig.Scheme.BEARER, none.scheme());
        assertTrue(none.anonymousPullsMirrored());
        assertFalse(none.anonymousPullsPrivate());
        BerthConfig.Auth auth = ConfigLoader.fromYaml("""
                auth:
                  htpasswd: etc/htpasswd
                  scheme: basic
                  token-ttl: 2m
                  groups: {devs: [alice, bob]}
                  anonymous: {mirrored: none, private: pull}
                  rules:
                    - {repositories: ['team/*'], pull: ['*'], push: ['@devs'], delete: [alice]}
                """).auth();
        assertTrue(auth.enabled());
        assertEquals(BerthConfig.Scheme.BASIC, auth.scheme());
        assertEquals(Duration.ofMinutes(2), auth.tokenTtl());
        assertEquals(java.util.List.of("alice", "bob"), auth.groups().get("devs"));
        assertFalse(auth.anonymousPullsMirrored());
        assertTrue(auth.anonymousPullsPrivate());
        assertEquals(java.util.List.of("@devs"), auth.rules().getFirst().push());
        assertTrue(fails("auth: {scheme: digest}").contains("auth.scheme"));
        assertTrue(fails("auth: {anonymous: {private: yes}}").contains("auth.anonymous.private"));
        assertTrue(fails("auth: {rules: [{repositories: [a], push: ['@ops']}]}").contains("no group ops"));
        assertTrue(fails("auth: {rules: [{pull: ['*']}]}").contains("repositories"));
    }

    @Test
    void ldapAccounts(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("ldap.secret"), "service-secret\n");
        String ldap = "auth:\n  ldap:\n    bind-dn: 'cn=berth,dc=example,dc=org'\n    bind-password-file: '" + secret
                + "'\n    user-base: 'ou=people,dc=example,dc=org'\n";
        BerthConfig.Auth auth = ConfigLoader.fromYaml(ldap + """
                    url: ldap://ldap.lan
                    start-tls: true
                    group-base: 'ou=groups,dc=example,dc=org'
                  rules:
                    - {repositories: ['team/*'], push: ['@devs']}
                """).auth();
        assertTrue(auth.enabled(), "a directory alone turns logins on");
        BerthConfig.Ldap l = auth.ldap().orElseThrow();
        assertEquals(URI.create("ldap://ldap.lan"), l.url());
        assertTrue(l.startTls());
        assertTrue(l.tls());
        assertEquals("service-secret", l.bindPassword(), "the file's line, without its newline");
        assertEquals("(uid={username})", l.userFilter());
        assertEquals(Optional.of("ou=groups,dc=example,dc=org"), l.groupBase());
        assertEquals("(member={dn})", l.groupFilter());
        assertEquals(Duration.ofSeconds(5), l.responseTimeout());
        assertEquals(Duration.ofMinutes(1), l.cacheTtl());
        assertEquals(List.of("@devs"), auth.rules().getFirst().push(), "a directory group needs no auth.groups entry");
        assertFalse(l.toString().contains("service-secret"));
        assertTrue(ConfigLoader.fromYaml(ldap + "    url: ldaps://ldap.lan:636\n").auth().ldap().orElseThrow().tls());

        assertEquals("missing configuration key: auth.ldap.url", fails(ldap));
        assertTrue(fails(ldap + "    url: http://ldap.lan\n").startsWith("auth.ldap.url: http://ldap.lan is not"));
        assertTrue(fails(ldap + "    url: 'ldap://ldap.lan/dc=example'\n").startsWith("auth.ldap.url:"));
        assertTrue(fails(ldap + "    url: ldaps://ldap.lan\n    start-tls: true\n")
                .startsWith("auth.ldap.start-tls: ldaps:// is encrypted from the start"));
        assertTrue(fails(ldap + "    url: ldap://ldap.lan\n    user-filter: '(uid=alice)'\n")
                .contains("does not contain {username}"));
        assertTrue(fails(ldap + "    url: ldap://ldap.lan\n    ca-file: '" + dir.resolve("absent.pem") + "'\n")
                .startsWith("auth.ldap.ca-file: cannot read"));
        assertEquals("auth.ldap.response-timeout: must be longer than 0",
                fails(ldap + "    url: ldap://ldap.lan\n    response-timeout: 0s\n"));
        Files.writeString(secret, "\n");
        assertTrue(fails(ldap + "    url: ldap://ldap.lan\n").endsWith(secret + " is empty"),
                "an empty password would be an unauthenticated bind");
    }

    @Test
    void trustedProxies() {
        assertEquals(java.util.List.of(), ConfigLoader.defaults().auth().trustedProxies(), "nobody, unless listed");
        assertEquals(java.util.List.of(AddressRange.parse("127.0.0.1/32"), AddressRange.parse("fd00::/8")),
                ConfigLoader.fromYaml("auth: {trusted-proxies: [127.0.0.1, 'fd00::/8']}").auth().trustedProxies());
        assertEquals("auth.trusted-proxies.1: not an IP address or CIDR block: 'proxy.lan' (expected such as"
                + " 127.0.0.1, ::1, 10.0.0.0/8 or fd00::/8)",
                fails("auth: {trusted-proxies: [10.0.0.0/8, proxy.lan]}"));
        assertTrue(fails("auth: {trusted-proxies: 10.0.0.0/8}").contains("is a list"));
        assertEquals(java.util.List.of(AddressRange.parse("10.0.0.0/8")), ConfigLoader.fromYaml("{}",
                java.util.Map.of("BERTH_AUTH_TRUSTED_PROXIES_0", "10.0.0.0/8")).auth().trustedProxies(), "in a container");
    }

    @Test
    void upstreamPasswordIsNotPrinted() {
        BerthConfig c = ConfigLoader.fromYaml(
                "mirror: {upstreams: [{registry: r, url: 'http://r', username: u, password: hunter2}]}");
        assertFalse(c.mirror().upstreams().getFirst().toString().contains("hunter2"));
    }

    @Test
    void s3Section() {
        assertTrue(ConfigLoader.defaults().storage().s3().isEmpty(), "the data directory unless storage.s3 is set");
        BerthConfig.S3 s3 = ConfigLoader.fromYaml("storage: {s3: {endpoint: 'http://127.0.0.1:9000', bucket: berth,"
                + " access-key: AKIAEXAMPLE, secret-key: s3cr3t}}").storage().s3().orElseThrow();
        assertEquals(Optional.of(URI.create("http://127.0.0.1:9000")), s3.endpoint());
        assertEquals("us-east-1", s3.region());
        assertEquals("berth", s3.bucket());
        assertTrue(s3.pathStyle(), "path-style by default with an endpoint");
        assertEquals(Optional.of("s3cr3t"), s3.secretKey());
        assertFalse(s3.toString().contains("s3cr3t"));
        BerthConfig.S3 aws = ConfigLoader.fromYaml("storage: {s3: {region: eu-west-1, bucket: b.e-r.th}}")
                .storage().s3().orElseThrow();
        assertFalse(aws.pathStyle(), "virtual-hosted buckets on AWS S3");
        assertTrue(aws.accessKey().isEmpty(), "credentials from the environment");
        assertFalse(ConfigLoader.fromYaml("storage: {s3: {endpoint: 'https://minio.lan', bucket: bkt, path-style: false}}")
                .storage().s3().orElseThrow().pathStyle());
        assertEquals(0, aws.localCacheMaxBytes(), "no hot tier unless one is sized");
        assertEquals(20L << 30, ConfigLoader.fromYaml("storage: {s3: {bucket: bkt, local-cache: {max-bytes: 20GiB}}}")
                .storage().s3().orElseThrow().localCacheMaxBytes());
        assertEquals(1L << 30, ConfigLoader.fromYaml("storage: {s3: {bucket: bkt}}",
                Map.of("BERTH_STORAGE_S3_LOCAL_CACHE_MAX_BYTES", "1GiB")).storage().s3().orElseThrow()
                .localCacheMaxBytes(), "a container sets it from the environment");
    }

    @Test
    void s3MistakesNameTheKey() {
        assertEquals("missing configuration key: storage.s3.bucket", fails("storage: {s3: {region: us-east-1}}"));
        assertTrue(fails("storage: {s3: {bucket: Berth_1}}").startsWith("storage.s3.bucket: Berth_1 is not"));
        assertEquals("storage.s3.endpoint: not an http:// or https:// URL: 'ftp://x'"
                + " (expected such as https://registry-1.docker.io)", fails("storage: {s3: {bucket: bkt, endpoint: 'ftp://x'}}"));
        assertTrue(fails("storage: {s3: {bucket: bkt, endpoint: '127.0.0.1:9000'}}").startsWith("storage.s3.endpoint:"));
        assertTrue(fails("storage: {s3: {bucket: bkt, region: 'US East'}}").startsWith("storage.s3.region:"));
        assertTrue(fails("storage: {s3: {bucket: bkt, access-key: a}}").contains("both access-key and secret-key"));
        assertEquals("unknown configuration key: storage.s3.acces-key (did you mean storage.s3.access-key?)",
                fails("storage: {s3: {bucket: bkt, acces-key: a}}"));
        assertTrue(fails("storage: {s3: {bucket: bkt, local-cache: {max-bytes: lots}}}")
                .startsWith("storage.s3.local-cache.max-bytes: "));
    }

    @Test
    void clusterSection(@TempDir Path dir) throws IOException {
        assertTrue(ConfigLoader.defaults().cluster().isEmpty());
        Path secret = Files.writeString(dir.resolve("cluster.key"), "k");
        BerthConfig.Cluster cluster = ConfigLoader.fromYaml("cluster: {peers: ['http://10.0.0.1:5000',"
                + " 'https://10.0.0.2:5000'], self: 'http://10.0.0.1:5000', secret-file: '" + secret + "'}")
                .cluster().orElseThrow();
        assertEquals(List.of(URI.create("http://10.0.0.1:5000"), URI.create("https://10.0.0.2:5000")),
                cluster.peers());
        assertEquals(Optional.of(URI.create("http://10.0.0.1:5000")), cluster.self());
        assertEquals(Optional.of(secret), cluster.secretFile());
        assertEquals("cluster.peers.1: not an http:// or https:// URL: '10.0.0.2'"
                + " (expected such as https://registry-1.docker.io)", fails("cluster: {peers: ['http://10.0.0.1:5000', '10.0.0.2']}"));
        assertTrue(fails("cluster: {peers: ['http://a:5000', 'http://a:5000']}").contains("listed twice"));
        assertTrue(fails("cluster: {peers: ['http://a:5000'], self: 'http://b:5000'}")
                .startsWith("cluster.self: http://b:5000 is not one of cluster.peers"));
        assertTrue(fails("cluster: {secret-file: /nonexistent/cluster.key}")
                .startsWith("cluster.secret-file: cannot read"));
    }

    @Test
    void peersByDns() {
        BerthConfig.Cluster cluster = ConfigLoader.fromYaml("cluster: {peers-dns: 'http://tasks.berth:5000'}")
                .cluster().orElseThrow();
        assertEquals(Optional.of(URI.create("http://tasks.berth:5000")), cluster.peersDns());
        assertEquals(List.of(), cluster.peers());
        assertTrue(fails("cluster: {peers-dns: 'http://tasks.berth:5000', peers: ['http://a:5000']}")
                .contains("set one"));
        assertTrue(fails("cluster: {peers-dns: 'tasks.berth'}").startsWith("cluster.peers-dns: not an http://"));
    }

    @Test
    void syncEntries() {
        BerthConfig.Sync sync = ConfigLoader.fromYaml("""
                mirror:
                  sync:
                    - {repository: busybox, tags: [latest, 'stable-*'], versions: '>=1.36 <2', platforms: [linux/arm/v7]}
                """).mirror().sync().getFirst();
        assertEquals("busybox", sync.repository());
        assertEquals(java.time.Duration.ofHours(1), sync.interval());
        assertEquals("linux/arm/v7", sync.platforms().getFirst().toString());
        for (String kept : List.of("latest", "stable-musl", "1.36", "v1.36.1", "1.99")) {
            assertTrue(sync.keeps(kept), kept);
        }
        for (String left : List.of("1.35.9", "2", "2.0", "1.36-musl", "edge")) {
            assertFalse(sync.keeps(left), left);
        }
        assertEquals("mirror.sync.0 needs tags (globs, as [\"latest\", \"1.36*\"]) or versions (a range, as"
                + " \">=1.36 <2\")", fails("mirror: {sync: [{repository: busybox}]}"));
        assertTrue(fails("mirror: {sync: [{repository: busybox, versions: 'about 1.36'}]}")
                .startsWith("mirror.sync.0.versions: not a version range: about 1.36"));
        assertTrue(fails("mirror: {sync: [{repository: busybox, tags: ['*'], platforms: [amd64]}]}")
                .startsWith("mirror.sync.0.platforms.0: not a platform: amd64"));
        assertEquals("mirror.sync.0.interval: at least 1m",
                fails("mirror: {sync: [{repository: busybox, tags: ['*'], interval: 10s}]}"));
    }

    @Test
    void connectionLimits() {
        BerthConfig.Limits defaults = ConfigLoader.defaults().limits();
        assertEquals(Duration.ofSeconds(10), defaults.requestHeadTimeout());
        assertEquals(Duration.ofSeconds(60), defaults.idleTimeout());
        assertTrue(defaults.maxConnections().isEmpty(), "sized at start from files and heap");
        assertTrue(defaults.maxConnectionsPerClient().isEmpty());

        BerthConfig.Limits set = ConfigLoader.fromYaml("limits: {max-connections: 500, max-connections-per-client: 50,"
                + " request-head-timeout: 3s, idle-timeout: 2m}").limits();
        assertEquals(500, set.maxConnections().getAsInt());
        assertEquals(50, set.maxConnectionsPerClient().getAsInt());
        assertEquals(Duration.ofSeconds(3), set.requestHeadTimeout());
        assertEquals(Duration.ofMinutes(2), set.idleTimeout());

        assertEquals("limits.request-head-timeout: must be longer than 0",
                fails("limits: {request-head-timeout: 0s}"));
        assertTrue(fails("limits: {max-connections: 0}").contains("limits.max-connections"));
    }

    @Test
    void singleSignOnSection(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("oidc.secret"), "the-secret\n");
        BerthConfig.Auth auth = ConfigLoader.fromYaml("""
                auth:
                  oidc: {issuer: 'https://sso.example.org/realms/team', client-id: berth, client-secret-file: '%s',
                         scopes: [profile, groups]}
                  rules:
                    - {repositories: ['team/*'], push: ['@devs']}
                """.formatted(secret)).auth();
        BerthConfig.Oidc oidc = auth.oidc().orElseThrow();
        assertTrue(auth.enabled(), "single sign-on alone turns authentication on");
        assertEquals(URI.create("https://sso.example.org/realms/team"), oidc.issuer());
        assertEquals("the-secret", oidc.clientSecret());
        assertEquals("groups", oidc.groupsClaim());
        assertEquals(List.of("openid", "profile", "groups"), oidc.scopes());
        assertEquals(Duration.ofSeconds(5), oidc.timeout());
        assertFalse(oidc.toString().contains("the-secret"), "the secret never reaches a log");
        assertEquals(Set.of("devs"), auth.ruleGroups(), "a group only the provider knows is allowed");

        String section = "auth: {oidc: {issuer: '%s', client-id: berth, client-secret-file: '" + secret + "'%s}}";
        assertTrue(fails(section.formatted("http://sso.example.org/realms/team", ""))
                .contains("auth.oidc.issuer: http://sso.example.org/realms/team is not an https URL"));
        assertTrue(fails(section.formatted("https://sso.example.org/?realm=team", "")).contains("auth.oidc.issuer"));
        assertEquals("http://127.0.0.1:8080/team", ConfigLoader.fromYaml(section.formatted(
                "http://127.0.0.1:8080/team", "")).auth().oidc().orElseThrow().issuer().toString(),
                "plain http on loopback, as a provider on the same host");
        assertTrue(fails(section.formatted("https://sso.example.org/t", ", timeout: 0s")).contains("auth.oidc.timeout"));
        assertTrue(fails(section.formatted("https://sso.example.org/t", ", scopes: ['a b']"))
                .contains("auth.oidc.scopes"));
        assertTrue(fails("auth: {oidc: {issuer: 'https://sso.example.org/t', client-secret-file: '" + secret + "'}}")
                .contains("missing configuration key: auth.oidc.client-id"));
        assertTrue(fails("auth: {oidc: {issuer: 'https://sso.example.org/t', client-id: berth,"
                + " client-secret-file: '" + dir.resolve("absent") + "'}}").contains("auth.oidc.client-secret-file"));
        Path empty = Files.writeString(dir.resolve("empty.secret"), "\n");
        assertTrue(fails("auth: {oidc: {issuer: 'https://sso.example.org/t', client-id: berth,"
                + " client-secret-file: '" + empty + "'}}").contains("is empty"));
    }

    @Test
    void notificationEndpointsAndAuditPath() {
        BerthConfig c = ConfigLoader.fromYaml("""
                notifications:
                  endpoints:
                    - url: 'https://user:pw@hooks.lan:8443/berth?key=k'
                      headers: {Authorization: 'Bearer t0ken', X-Team: ops}
                      actions: [push, delete]
                      timeout: 2s
                      queue-limit: 50
                    - url: 'http://other.lan/hook'
                audit: {path: '-'}
                """);
        BerthConfig.Endpoint first = c.notifications().endpoints().getFirst();
        assertEquals(Map.of("Authorization", "Bearer t0ken", "X-Team", "ops"), first.headers());
        assertEquals(List.of("push", "delete"), first.actions());
        assertEquals(Duration.ofSeconds(2), first.timeout());
        assertEquals(50, first.queueLimit());
        assertEquals("https://hooks.lan:8443/berth", first.name(), "no credentials nor query in metrics and logs");
        assertFalse(first.toString().contains("t0ken"));
        BerthConfig.Endpoint second = c.notifications().endpoints().get(1);
        assertEquals(List.of(), second.actions());
        assertEquals(Duration.ofSeconds(5), second.timeout());
        assertEquals(Duration.ofSeconds(1), second.backoff());
        assertEquals(Duration.ofMinutes(5), second.maxBackoff());
        assertEquals(10_000, second.queueLimit());
        assertEquals(Optional.of("-"), c.audit().path());
        assertEquals(Optional.empty(), ConfigLoader.fromYaml("").audit().path());

        assertTrue(fails("notifications: {endpoints: [{url: 'ftp://x'}]}").contains("notifications.endpoints.0.url"));
        assertTrue(fails("notifications: {endpoints: [{headers: {A: b}}]}").contains("url"));
        assertTrue(fails("notifications: {endpoints: [{url: 'http://x', actions: [tag]}]}")
                .contains("notifications.endpoints.0.actions"));
        assertTrue(fails("notifications: {endpoints: [{url: 'http://x', queue-limit: 0}]}")
                .contains("notifications.endpoints.0.queue-limit"));
        assertTrue(fails("notifications: {endpoints: [{url: 'http://x', timeout: 0s}]}")
                .contains("notifications.endpoints.0.timeout"));
        assertTrue(fails("notifications: {endpoints: [{url: 'http://x', backoff: 1m, max-backoff: 1s}]}")
                .contains("must not be shorter than backoff"));
        assertTrue(fails("notifications: {endpoints: [{url: 'http://x'}, {url: 'http://x'}]}")
                .contains("configured twice"));
        assertTrue(fails("notifications: {endpoints: [{url: 'http://x', headers: {Content-Type: text/plain}}]}")
                .contains("not a header berth can send"));
        assertTrue(fails("notifications: {endpoints: [{url: 'http://x', headers: {'Bad Name': v}}]}")
                .contains("not a header berth can send"));
        assertTrue(fails("notifications: {endpoints: [{url: 'http://x', headers: {X-A: \"a\\nb\"}}]}")
                .contains("one line"));
    }

    private static String fails(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> ConfigLoader.fromYaml(yaml)).getMessage();
    }
}
