package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The line berth logs when it starts: where it listens and how, where the data is, what it mirrors. */
class StartupLogTest {
    private static final String DATA = "data in /var/lib/berth";

    @Test
    void namesPortTransportDataUpstreamsAuthenticationAndEndpoints() {
        String yaml = "server: {host: 0.0.0.0, port: 5000}\nmirror:\n  upstreams:\n"
                + "    - {registry: docker.io, url: 'https://registry-1.docker.io', default: true, username: u,"
                + " password: secret}\n"
                + "    - {registry: ghcr.io, url: 'https://ghcr.io'}\n"
                + "private:\n  repositories: ['team/*']\n";
        assertEquals("berth listening on 0.0.0.0:5000 (plain HTTP), data in /var/lib/berth, mirroring docker.io from"
                + " https://registry-1.docker.io (default), ghcr.io from https://ghcr.io; private: team/*,"
                + " authentication off; the web page at /ui/, health at /observe/health, metrics at /observe/metrics",
                StartupLog.startedLine(ConfigLoader.fromYaml(yaml), 5000, false, DATA));
    }

    @Test
    void withoutUpstreamsEveryRepositoryIsPrivate() {
        String yaml = "server: {host: 127.0.0.1, port: 0}\nauth: {htpasswd: /etc/berth/htpasswd}\n";
        assertEquals("berth listening on 127.0.0.1:40123 (HTTPS), data in /var/lib/berth, no upstreams: every"
                + " repository is private, authentication from /etc/berth/htpasswd; the web page at /ui/, health at"
                + " /observe/health, metrics at /observe/metrics",
                StartupLog.startedLine(ConfigLoader.fromYaml(yaml), 40123, true, DATA));
    }

    @Test
    void aDirectorySaysWhichAndComesAfterTheFile(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("ldap.secret"), "service-secret\n");
        String ldap = "  ldap: {url: 'ldaps://ldap.lan', bind-dn: 'cn=berth,dc=example,dc=org', bind-password-file: '"
                + secret + "', user-base: 'ou=people,dc=example,dc=org'}\n";
        String server = "server: {host: 127.0.0.1, port: 5000}\nauth:\n";
        assertEquals("berth listening on 127.0.0.1:5000 (plain HTTP), data in /var/lib/berth, no upstreams: every"
                + " repository is private, authentication from the directory ldaps://ldap.lan; the web page at /ui/,"
                + " health at /observe/health, metrics at /observe/metrics",
                StartupLog.startedLine(ConfigLoader.fromYaml(server + ldap), 5000, false, DATA));
        String both = StartupLog.startedLine(ConfigLoader.fromYaml(server + "  htpasswd: /etc/berth/htpasswd\n"
                + ldap), 5000, false, DATA);
        assertTrue(both.contains(", authentication from /etc/berth/htpasswd then from the directory ldaps://ldap.lan;"),
                both);
        assertFalse(both.contains("service-secret"), both);
    }

    @Test
    void aSharedBucketWithoutPeersWarnsThatEachInstanceFetchesOnItsOwn() {
        String s3 = "storage: {s3: {endpoint: 'http://127.0.0.1:9000', bucket: berth}}\n";
        assertEquals(Optional.of("storage.s3 without cluster.peers or cluster.peers-dns: every instance on this bucket"
                + " fetches from the upstream on its own (a cold blob once per instance). To have them fetch for each"
                + " other, list every instance in cluster.peers (or set cluster.peers-dns to a name that resolves to"
                + " all of them, such as http://tasks.berth:5000 in a swarm) and give them the same"
                + " cluster.secret-file"), StartupLog.aloneOnASharedStore(ConfigLoader.fromYaml(s3), true));
        assertEquals(Optional.empty(), StartupLog.aloneOnASharedStore(ConfigLoader.fromYaml(s3
                + "cluster: {peers-dns: 'http://tasks.berth:5000'}\n"), true));
        assertEquals(Optional.empty(), StartupLog.aloneOnASharedStore(ConfigLoader.fromYaml(s3
                + "cluster: {peers: ['http://10.0.0.1:5000', 'http://10.0.0.2:5000']}\n"), true));
        assertEquals(Optional.empty(), StartupLog.aloneOnASharedStore(ConfigLoader.defaults(), false),
                "a data directory is one instance's");
    }
}
