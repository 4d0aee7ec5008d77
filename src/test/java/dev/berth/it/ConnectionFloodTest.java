package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.berth.support.ChildBerth;
import dev.berth.support.Poll;
import dev.berth.support.TestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Floods of connections that send nothing, as the attack opened them, against berth in its own JVM with the shipped
 * heap and options: a normal client is served during and after, the process lives and listens, its memory stays
 * bounded; under a file-descriptor limit ({@code prlimit}) berth refuses what it cannot hold, and when its listener
 * does run out of files, it listens again.
 */
class ConnectionFloodTest {
    /** The options ./berth, the unit and the image start berth with. */
    private static final String[] SHIPPED = {"-Xmx128m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"};
    /** The attack's count. */
    private static final int FLOOD = 9_000;
    /** berth's default cap on connections with the shipped heap (README, "Connection limits"). */
    private static final int SHIPPED_CAP = 1584;
    /**
     * Resident memory berth stays under: the 128 MiB heap and what the JVM needs beside it; 206 to 232 MiB through
     * bench/run (README, "Memory"), about 235 MiB through this flood.
     */
    private static final long MAX_RSS_KIB = 320 * 1024;
    private static final Pattern PEAK_RSS = Pattern.compile("VmHWM:\\s+(\\d+) kB");

    @TempDir
    Path root;
    private final List<Socket> flood = new ArrayList<>();

    @AfterEach
    void closeFlood() throws IOException {
        for (Socket socket : flood) {
            socket.close();
        }
    }

    @Test
    void anIdleFloodLeavesOthersServedAndTheProcessListeningWithinItsMemory() throws Exception {
        try (ChildBerth berth = ChildBerth.start(List.of(), root, "limits: {request-head-timeout: 3s}\n", SHIPPED)) {
            TestClient client = berth.client();
            // From one client, as the attack: past its share berth closes new connections at once.
            openFlood(berth, flood(), 1, client);
            assertTrue(berth.isAlive(), berth.output());
            assertServed(client);
            closeFlood();
            flood.clear();

            // From 16 clients, past the total cap: the others wait no longer than the flood lasts.
            openFlood(berth, flood(), 16, null);
            assertTrue(berth.isAlive(), berth.output());
            closeFlood();
            flood.clear();
            Poll.until(() -> served(client), "served after the flood", Duration.ofSeconds(30));

            long peakKib = peakRssKib(berth.pid());
            assertTrue(peakKib < MAX_RSS_KIB, "peak RSS " + peakKib + " KiB");
            assertFalse(berth.output().contains("OutOfMemoryError"), berth.output());
            assertFalse(berth.output().contains("terminating now"), berth.output());
            assertTrue(berth.output().contains("more than " + SHIPPED_CAP / 4
                    + " connections open from 127.0.0.2 (limits.max-connections-per-client)"), berth.output());
        }
    }

    @Test
    void pastTheFileLimitConnectionsAreRefusedAndBerthServesAfterwards() throws Exception {
        int files = 512;
        try (ChildBerth berth = ChildBerth.start(List.of("prlimit", "--nofile=" + files, "--"), root,
                "limits: {request-head-timeout: 30s}\n", SHIPPED)) {
            // Twice the limit, from several clients: berth caps what it holds below the limit.
            openFlood(berth, 2 * files, 8, null);
            assertTrue(berth.isAlive(), berth.output());
            closeFlood();
            flood.clear();

            Poll.until(() -> served(berth.client()), "served after the flood", Duration.ofSeconds(30));
            assertFalse(berth.output().contains("terminating now"), berth.output());
            assertTrue(berth.output().contains("closing new connections at once"), berth.output());
        }
    }

    @Test
    void aListenerOutOfFilesListensAgainOnItsPort() throws Exception {
        int files = 512;
        // A cap above what the files allow: accepting fails, and Helidon ends the listener.
        try (ChildBerth berth = ChildBerth.start(List.of("prlimit", "--nofile=" + files, "--"), root,
                "limits: {max-connections: 100000, max-connections-per-client: 100000,"
                        + " request-head-timeout: 60s}\n", SHIPPED)) {
            openFlood(berth, 2 * files, 1, null);
            try {
                Poll.until(() -> berth.output().contains("stopped listening"), "the listener to end",
                        Duration.ofSeconds(30));
            } catch (AssertionError e) {
                throw new AssertionError(berth.output(), e);
            }
            closeFlood();
            flood.clear();

            Poll.until(() -> berth.output().contains("listening again on port " + berth.port()), "listening again",
                    Duration.ofSeconds(60));
            Poll.until(() -> served(berth.client()), "served on the same port", Duration.ofSeconds(30));
            for (int i = 0; i < 20; i++) {
                HttpResponse<byte[]> health = berth.client().get("/observe/health");
                assertEquals(200, health.statusCode(), () -> new String(health.body(), StandardCharsets.UTF_8)
                        + berth.output());
            }
            assertEquals(200, berth.client().get("/observe/metrics").statusCode(), "metrics served again too");
            assertTrue(berth.isAlive());
        }
    }

    /** The attack's count, or fewer where this JVM may not open that many files and still be a client. */
    private static int flood() {
        long files = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        int count = (int) Math.min(FLOOD, files - 1024);
        assumeTrue(count >= 2 * SHIPPED_CAP, "this JVM may open too few files to pass berth's default cap: " + files);
        return count;
    }

    /**
     * Opens {@code count} connections from {@code clients} loopback addresses (127.0.0.2 on) that send nothing; with
     * a {@code client}, checks every 1,000 that it is served meanwhile.
     */
    private void openFlood(ChildBerth berth, int count, int clients, TestClient client) throws Exception {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), berth.port());
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            flood.add(socket);
            try {
                socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + (2 + i % clients)), 0));
                socket.connect(target, 5000);
            } catch (IOException e) {
                // Past the backlog while berth is not accepting: the attacker's problem.
            }
            if (client != null && i % 1000 == 999) {
                assertServed(client);
            }
        }
    }

    private static void assertServed(TestClient client) throws InterruptedException {
        // The flood's own refused connections come and go: served within a few seconds, not necessarily first try.
        Poll.until(() -> served(client), "a normal client served", Duration.ofSeconds(10));
    }

    private static boolean served(TestClient client) {
        try {
            return client.get("/v2/").statusCode() == 200 && client.get("/observe/health").statusCode() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static long peakRssKib(long pid) {
        try {
            Matcher m = PEAK_RSS.matcher(Files.readString(Path.of("/proc/" + pid + "/status"),
                    StandardCharsets.US_ASCII));
            assertTrue(m.find());
            return Long.parseLong(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
