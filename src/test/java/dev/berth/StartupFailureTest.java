package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.ChildBerth;
import dev.berth.support.ExternalCommand;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees when berth cannot start: a taken port, a data directory another berth holds. */
class StartupFailureTest {
    @TempDir
    Path root;

    @Test
    void aTakenPortIsOneLineAndExitStatus2() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ExternalCommand.Result result = ChildBerth.runUntilExit("server: {host: 127.0.0.1, port: "
                    + taken.getLocalPort() + "}\nstorage: {root: '" + root + "'}\n");
            assertEquals(2, result.exitCode(), result::stderr);
            assertEquals("berth: server.port " + taken.getLocalPort() + ": address already in use\n", result.stderr());
            assertEquals("", result.stdoutText());
        }
    }

    @Test
    void aBadValueInTheFileOrTheEnvironmentIsOneLineNamingKeyValueAndExpectation() throws IOException {
        ExternalCommand.Result file = ChildBerth.runUntilExit("server: {port: 17501x}\n");
        assertEquals(2, file.exitCode(), file::stderr);
        assertEquals("berth: bad configuration: server.port: not a port: '17501x' (expected a whole number from 0 to"
                + " 65535)\n", file.stderr());
        ExternalCommand.Result environment = ChildBerth.runUntilExit("storage: {root: '" + root + "'}\n",
                Map.of("BERTH_CACHE_MAX_BYTES", "lots"));
        assertEquals(2, environment.exitCode(), environment::stderr);
        assertEquals("berth: bad configuration: cache.max-bytes: not a size: 'lots' (expected a number of bytes with"
                + " an optional unit: 512KiB, 4MiB, 200GiB)\n", environment.stderr());
    }

    @Test
    void theEnvironmentSetsKeys() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ExternalCommand.Result result = ChildBerth.runUntilExit("server: {host: 127.0.0.1, port: 0}\n",
                    Map.of("BERTH_SERVER_PORT", Integer.toString(taken.getLocalPort()),
                            "BERTH_STORAGE_ROOT", root.toString()));
            assertEquals("berth: server.port " + taken.getLocalPort() + ": address already in use\n", result.stderr());
        }
    }

    @Test
    void kubernetesServiceLinksDoNotStopBerth() throws IOException {
        // What a pod gets for the Service of deploy/kubernetes/berth.yaml when service links are on: berth went on to
        // listen (on a port taken here, so that it exits) instead of refusing BERTH_PORT.
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ExternalCommand.Result result = ChildBerth.runUntilExit("server: {host: 127.0.0.1, port: "
                    + taken.getLocalPort() + "}\nstorage: {root: '" + root + "'}\n", Map.of(
                    "BERTH_SERVICE_HOST", "10.96.0.12", "BERTH_SERVICE_PORT", "5000",
                    "BERTH_SERVICE_PORT_REGISTRY", "5000", "BERTH_PORT", "tcp://10.96.0.12:5000",
                    "BERTH_PORT_5000_TCP", "tcp://10.96.0.12:5000", "BERTH_PORT_5000_TCP_PROTO", "tcp",
                    "BERTH_PORT_5000_TCP_PORT", "5000", "BERTH_PORT_5000_TCP_ADDR", "10.96.0.12"));
            assertEquals("berth: server.port " + taken.getLocalPort() + ": address already in use\n", result.stderr());
        }
    }

    @Test
    void anAuditPathBerthCannotWriteIsOneLineNamingItAndExitStatus2() throws IOException {
        Path missing = root.resolve("no-such-directory/audit.jsonl");
        ExternalCommand.Result result = ChildBerth.runUntilExit("server: {host: 127.0.0.1, port: 0}\nstorage: {root: '"
                + root.resolve("data") + "'}\naudit: {path: '" + missing + "'}\n");
        assertEquals(2, result.exitCode(), result::stderr);
        assertEquals("berth: audit.path " + missing + ": cannot be written (its directory does not exist)\n",
                result.stderr());
    }

    @Test
    void versionIsTheProjectsAndExitsZero() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher project = Pattern.compile("<artifactId>berth</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(project.find(), "pom.xml names berth's version");
        ExternalCommand.Result result = ExternalCommand.run(ChildBerth.mainCommand(List.of(), List.of("--version")),
                Map.of(), new byte[0], Duration.ofSeconds(60));
        assertEquals(0, result.exitCode(), result::stderr);
        assertEquals("berth " + project.group(1) + "\n", result.stdoutText());
    }

    @Test
    void aSecondBerthOnOneDataDirectoryRefusesNamingItAndTheHolder() throws IOException {
        try (ChildBerth first = ChildBerth.start(root)) {
            ExternalCommand.Result second = ChildBerth.runUntilExit(
                    "server: {host: 127.0.0.1, port: 0}\nstorage: {root: '" + root + "'}\n");
            assertEquals(2, second.exitCode(), second::stderr);
            assertEquals("berth: storage.root " + root + " is in use by another berth (process " + first.pid()
                    + "); stop it, or give this one another data directory\n", second.stderr());
            assertEquals(200, first.client().get("/v2/").statusCode(), "the first berth serves on");
        }
    }

    @Test
    void aKilledHolderLeavesNoStaleLock() throws IOException {
        try (ChildBerth killed = ChildBerth.start(root)) {
            killed.kill();
        }
        try (ChildBerth next = ChildBerth.start(root)) {
            assertTrue(next.isAlive());
            assertEquals(200, next.client().get("/v2/").statusCode());
        }
    }
}
