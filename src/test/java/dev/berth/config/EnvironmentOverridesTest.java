package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.LogCapture;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** BERTH_ variables set any key over the file's value, and are checked as the file's values are. */
class EnvironmentOverridesTest {
    private static final String FILE = """
            server: {port: 5000}
            mirror:
              upstreams:
                - {registry: docker.io, url: 'https://registry-1.docker.io', default: true}
            private: {repositories: ['team/*']}
            """;

    @Test
    void scalarsWinOverTheFile() {
        BerthConfig c = ConfigLoader.fromYaml(FILE, Map.of("BERTH_SERVER_PORT", "5001",
                "BERTH_STORAGE_ROOT", "/srv/berth", "BERTH_CACHE_MAX_BYTES", "200GiB",
                "BERTH_STORAGE_UPLOAD_TIMEOUT", "2h", "BERTH_AUTH_ANONYMOUS_MIRRORED", "none"));
        assertEquals(5001, c.server().port());
        assertEquals(Path.of("/srv/berth"), c.storage().root());
        assertEquals(200L << 30, c.cache().maxBytes());
        assertEquals(Duration.ofHours(2), c.storage().uploadTimeout());
        assertEquals(false, c.auth().anonymousPullsMirrored());
    }

    @Test
    void listEntriesGoByIndex() {
        BerthConfig c = ConfigLoader.fromYaml(FILE, Map.of(
                "BERTH_MIRROR_UPSTREAMS_0_TAG_TTL", "90s",
                "BERTH_MIRROR_UPSTREAMS_1_REGISTRY", "ghcr.io", "BERTH_MIRROR_UPSTREAMS_1_URL", "https://ghcr.io",
                "BERTH_PRIVATE_REPOSITORIES_1", "ci/*"));
        assertEquals(List.of("docker.io", "ghcr.io"),
                c.mirror().upstreams().stream().map(BerthConfig.Upstream::registry).toList());
        assertEquals(Duration.ofSeconds(90), c.mirror().upstreams().getFirst().tagTtl());
        assertEquals("https://registry-1.docker.io", c.mirror().upstreams().getFirst().url());
        assertEquals(List.of("team/*", "ci/*"), c.privateRepos().repositories());
    }

    @Test
    void listsKeepTheirOrderPastTenEntries() {
        Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < 12; i++) {
            env.put("BERTH_PRIVATE_REPOSITORIES_" + i, "team" + i + "/*");
        }
        assertEquals(List.of("team0/*", "team1/*", "team2/*", "team3/*", "team4/*", "team5/*", "team6/*", "team7/*",
                "team8/*", "team9/*", "team10/*", "team11/*"),
                ConfigLoader.defaults(env).privateRepos().repositories());
    }

    @Test
    void groupNamesAreLowerCase() {
        BerthConfig c = ConfigLoader.defaults(Map.of("BERTH_AUTH_GROUPS_DEVS_0", "alice",
                "BERTH_AUTH_RULES_0_REPOSITORIES_0", "team/*", "BERTH_AUTH_RULES_0_PUSH_0", "@devs"));
        assertEquals(List.of("alice"), c.auth().groups().get("devs"));
        assertEquals(List.of("@devs"), c.auth().rules().getFirst().push());
    }

    @Test
    void badValuesAndTyposOfKeysStopBerth() {
        assertEquals("server.port: not a port: '17501x' (expected a whole number from 0 to 65535)",
                fails(Map.of("BERTH_SERVER_PORT", "17501x")));
        assertEquals("mirror.upstreams.0.default: not a boolean: 'yes please' (expected true or false)",
                fails(Map.of("BERTH_MIRROR_UPSTREAMS_0_DEFAULT", "yes please")));
        assertEquals("BERTH_SERVER_PROT: no configuration key is set by this variable (did you mean BERTH_SERVER_PORT?"
                + " a key's variable is BERTH_ and its path in upper case with . and - as _, such as BERTH_SERVER_PORT"
                + " for server.port; list entries by index: BERTH_MIRROR_UPSTREAMS_0_URL)",
                fails(Map.of("BERTH_SERVER_PROT", "5001")));
        assertTrue(fails(Map.of("BERTH_MIRROR_UPSTREAMS_1_URLL", "https://ghcr.io"))
                .contains("did you mean BERTH_MIRROR_UPSTREAMS_1_URL?"));
        assertTrue(fails(Map.of("BERTH_AUTH_HTPASWD", "/etc/berth/htpasswd"))
                .contains("did you mean BERTH_AUTH_HTPASSWD?"), "a typo that would turn authentication off");
        assertEquals("private.repositories: list entries are numbered from 0 without gaps, found [0, 2]",
                fails(Map.of("BERTH_PRIVATE_REPOSITORIES_2", "ci/*")));
    }

    @Test
    void theLaunchScriptsVariablesAndOthersAreLeftAlone() {
        BerthConfig c = ConfigLoader.fromYaml(FILE, Map.of("BERTH_JAVA_OPTS", "-Xmx512m", "BERTH_JAVA", "/opt/java",
                "BERTH_PASSWORD", "for berth warm", "PATH", "/usr/bin", "SERVER_PORT", "1"));
        assertEquals(5000, c.server().port());
    }

    @Test
    void kubernetesServiceLinksNeverStopBerth() {
        // What Kubernetes sets in every pod of a namespace with a Service named berth (port 5000, named registry),
        // and, for one named berth-server, a variable that is also server.port's.
        Map<String, String> links = Map.ofEntries(
                Map.entry("BERTH_SERVICE_HOST", "10.96.0.12"),
                Map.entry("BERTH_SERVICE_PORT", "5000"),
                Map.entry("BERTH_SERVICE_PORT_REGISTRY", "5000"),
                Map.entry("BERTH_PORT", "tcp://10.96.0.12:5000"),
                Map.entry("BERTH_PORT_5000_TCP", "tcp://10.96.0.12:5000"),
                Map.entry("BERTH_PORT_5000_TCP_PROTO", "tcp"),
                Map.entry("BERTH_PORT_5000_TCP_PORT", "5000"),
                Map.entry("BERTH_PORT_5000_TCP_ADDR", "10.96.0.12"),
                Map.entry("BERTH_SERVER_SERVICE_HOST", "10.96.0.13"),
                Map.entry("BERTH_SERVER_PORT", "tcp://[fd00:10:96::13]:5000"),
                Map.entry("BERTH_SERVER_PORT_5000_TCP_ADDR", "fd00:10:96::13"),
                Map.entry("BERTH_CACHE_MAX_BYTES", "1GiB"));
        try (LogCapture log = LogCapture.of(EnvironmentOverrides.class.getName())) {
            BerthConfig c = ConfigLoader.fromYaml(FILE, links);
            assertEquals(5000, c.server().port(), "a link's address is not a port to listen on");
            assertEquals(1L << 30, c.cache().maxBytes(), "the real settings beside them still count");
            assertEquals(List.of(), log.messages(), "nothing to warn about");
        }
    }

    @Test
    void aVariableCloseToNoKeyIsLoggedAndLeftAlone() {
        try (LogCapture log = LogCapture.of(EnvironmentOverrides.class.getName())) {
            BerthConfig c = ConfigLoader.fromYaml(FILE, Map.of("BERTH_HOME", "/opt/berth", "BERTH_SERVER_PORT", "5001"));
            assertEquals(5001, c.server().port());
            assertEquals(List.of("BERTH_HOME is ignored: no configuration key is set by this variable (a key's"
                    + " variable is BERTH_ and its path in upper case with . and - as _, such as BERTH_SERVER_PORT for"
                    + " server.port; list entries by index: BERTH_MIRROR_UPSTREAMS_0_URL)"),
                    log.messages(Level.WARNING));
        }
    }

    private static String fails(Map<String, String> environment) {
        return assertThrows(IllegalArgumentException.class, () -> ConfigLoader.fromYaml(FILE, environment))
                .getMessage();
    }
}
