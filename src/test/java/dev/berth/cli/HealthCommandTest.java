package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.support.MutableClock;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth health}, the container's health check: its exit status and what it prints, against a real berth. */
class HealthCommandTest {
    @TempDir
    Path dir;

    /** One in-process run: its exit status and what it printed. */
    private record Run(int status, String out) {
    }

    private static Run health(BerthConfig.Server server, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new HealthCommand(server, new PrintStream(out, true, StandardCharsets.UTF_8)).run(List.of(args));
        return new Run(status, out.toString(StandardCharsets.UTF_8));
    }

    private static BerthConfig.Server plain(String host, int port) {
        return new BerthConfig.Server(host, port, Optional.empty());
    }

    @Test
    void zeroWhileBerthIsUpOneWhileItsDataDirectoryTakesNoWrites() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Path root = dir.resolve("data");
        try (RunningBerth berth = RunningBerth.start(root, "", clock)) {
            BerthConfig.Server server = plain("0.0.0.0", berth.port());
            Run up = health(server);
            assertEquals(0, up.status(), up.out());
            String uri = "http://127.0.0.1:" + berth.port() + "/observe/health";
            assertTrue(up.out().startsWith("berth: " + uri + ": 200 {\"status\":\"UP\""), up.out());

            // As in HealthTest: a file where .tmp should be makes every write fail, so storage is DOWN.
            Path tmp = root.resolve(".tmp");
            Files.delete(tmp);
            Files.writeString(tmp, "not a directory");
            // Past the 5 s for which the storage check keeps its last result.
            clock.advance(Duration.ofMinutes(1));
            Run down = health(server);
            assertEquals(1, down.status(), down.out());
            assertTrue(down.out().startsWith("berth: " + uri + ": 503 {\"status\":\"DOWN\""), down.out());
        }
    }

    @Test
    void oneWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Run run = health(plain("127.0.0.1", port));
        assertEquals(1, run.status(), run.out());
        assertTrue(run.out().startsWith("berth: http://127.0.0.1:" + port + "/observe/health: java.net.ConnectException"),
                run.out());
    }

    @Test
    void asksOverHttpsWhenBerthServesTlsWithACertificateThisJvmDoesNotTrust() {
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"), TestCertificates.KeyType.EC);
        try (RunningBerth berth = RunningBerth.startHttps(dir.resolve("data"), certs, certs.key(), "")) {
            BerthConfig.Tls tls = new BerthConfig.Tls(certs.chain(), certs.key());
            Run run = health(new BerthConfig.Server("0.0.0.0", berth.port(), Optional.of(tls)));
            assertEquals(0, run.status(), run.out());
            assertTrue(run.out().startsWith("berth: https://127.0.0.1:" + berth.port() + "/observe/health: 200 "),
                    run.out());
        }
    }

    @Test
    void asksLoopbackForEveryAddressAndTheListenAddressOtherwise() {
        assertEquals("http://127.0.0.1:5000/observe/health", HealthCommand.healthUri(plain("0.0.0.0", 5000)).toString());
        assertEquals("http://127.0.0.1:5000/observe/health", HealthCommand.healthUri(plain("", 5000)).toString());
        assertEquals("http://[::1]:5000/observe/health", HealthCommand.healthUri(plain("::", 5000)).toString());
        assertEquals("http://10.0.0.7:5001/observe/health", HealthCommand.healthUri(plain("10.0.0.7", 5001)).toString());
        assertEquals("http://[fd00::7]:5000/observe/health",
                HealthCommand.healthUri(plain("fd00::7", 5000)).toString());
    }

    @Test
    void usageErrorForArguments() {
        Run run = health(plain("127.0.0.1", 1), "--verbose");
        assertEquals(new Run(2, "usage: berth [--config FILE] health\n"), run);
    }
}
