package dev.berth.http;

import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Htpasswd;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login throttle against the review's attacks on a real berth: guesses interleaved with logins to the guesser's
 * own account, guesses sent in parallel, guesses spread over addresses; and the client with a stale secret that must
 * not slow down everyone else's login. Clients are told apart by their loopback addresses.
 */
class LoginThrottlingTest {
    /** Below the first delay (1 s) with room for a loaded machine: an answer this quick was not held back. */
    private static final Duration QUICK = Duration.ofMillis(900);
    private static final String GUESSER = "127.0.0.2";

    @TempDir
    Path dir;
    private RunningBerth berth;
    private final Map<String, HttpClient> clients = new HashMap<>();

    @BeforeEach
    void start() {
        berth = RunningBerth.start(dir.resolve("data"), "auth: {htpasswd: '"
                + Htpasswd.aliceAndBob(dir.resolve("htpasswd")) + "'}\n");
    }

    @AfterEach
    void stop() {
        berth.close();
        clients.values().forEach(HttpClient::close);
    }

    @Test
    void loginsToTheGuessersOwnAccountDoNotClearItsCount() {
        // The review's attack: one login to the guesser's own account (bob) every four guesses at alice's password.
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < (round == 0 ? 4 : 1); i++) {
                assertEquals(401, login(GUESSER, "alice", "guess-" + round + i).statusCode());
            }
            assertEquals(200, login(GUESSER, "bob", BOB_PASSWORD).statusCode());
        }
        Timed sixth = timed(() -> login(GUESSER, "alice", "guess-6"));
        assertEquals(401, sixth.response().statusCode());
        assertTrue(sixth.took().compareTo(QUICK) >= 0, "the sixth guess at alice waited: " + sixth.took());
    }

    @Test
    void guessesSentInParallelAreHeldForTheOthersOutcomeAndThenRefused() throws Exception {
        assertEquals(200, login("127.0.0.3", "alice", ALICE_PASSWORD).statusCode(), "where alice logs in");
        // Ten guesses each through the registry API, the admin API and the page's sign-in form, all at once.
        List<CompletableFuture<HttpResponse<byte[]>>> guesses = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String guess = "parallel-guess-" + i;
            HttpRequest request = switch (i % 3) {
                case 0 -> request("alice", guess);
                case 1 -> HttpRequest.newBuilder(URI.create(base() + "/api/v1/me"))
                        .header("Authorization", basic("alice", guess)).build();
                default -> HttpRequest.newBuilder(URI.create(base() + "/ui/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("username=alice&password=" + guess)).build();
            };
            guesses.add(client(GUESSER).sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
        }
        int checked = 0;
        int[] refused = new int[3];
        for (int i = 0; i < guesses.size(); i++) {
            HttpResponse<byte[]> r = guesses.get(i).get();
            String location = r.headers().firstValue("Location").orElse("");
            if (r.statusCode() == 401 || location.equals("/ui/?failed#/login")) {
                checked++;
                continue;
            }
            refused[i % 3]++;
            switch (i % 3) {
                case 0 -> assertError(r, 429, "TOOMANYREQUESTS");
                case 1 -> assertApiError(r, 429, "TOO_MANY_REQUESTS");
                default -> assertEquals("/ui/?throttled#/login", location, "the page says to wait");
            }
            if (i % 3 != 2) {
                assertTrue(Integer.parseInt(header(r, "Retry-After")) >= 1);
            }
        }
        // Five free, then one at a time after a delay that doubles (1 s, 2 s, 4 s) while the rest are refused: as
        // many as fit in the time the 30 took to arrive, which is well under a second unless the machine crawls.
        assertTrue(checked >= 5 && checked <= 8, checked + " of 30 guesses were checked");
        assertTrue(refused[0] >= 2 && refused[1] >= 2 && refused[2] >= 2, "refused on every way in");

        Timed owner = timed(() -> login("127.0.0.3", "alice", ALICE_PASSWORD));
        assertEquals(200, owner.response().statusCode());
        assertTrue(owner.took().compareTo(QUICK) < 0, "alice, where she logged in before, is not locked out: "
                + owner.took());
        Timed elsewhere = timed(() -> login("127.0.0.4", "alice", "yet another guess"));
        assertTrue(elsewhere.took().compareTo(QUICK) >= 0 || elsewhere.response().statusCode() == 429,
                "a guess at alice from a new address is slowed down by her account's count: " + elsewhere.took());
    }

    @Test
    void aGuesserWhoAlwaysHasAGuessInFlightDoesNotLockTheOwnerOut() throws Exception {
        // One guess at alice after another from one address, so that one is nearly always being checked: alice, from
        // an address she has not logged in from (after a restart: any), was refused 429 for as long as it went on.
        HttpClient guesser = client(GUESSER);
        AtomicInteger guessed = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread guessing = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 30 && !stop.get(); i++) {
                try {
                    guesser.send(request("alice", "guess-" + i), HttpResponse.BodyHandlers.discarding());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    return;
                }
                guessed.incrementAndGet();
            }
        });
        try {
            // Past the free failures: from now on each guess is held for a second or more before it is checked.
            Poll.until(() -> guessed.get() >= 6, "the guesser to be slowed down",
                    Duration.ofSeconds(60));
            HttpResponse<byte[]> owner = login("127.0.0.7", "alice", ALICE_PASSWORD);
            assertEquals(200, owner.statusCode(), "alice waits her turn behind the guess in flight, then logs in: "
                    + new String(owner.body(), StandardCharsets.UTF_8));
        } finally {
            stop.set(true);
            guessing.join(Duration.ofSeconds(60));
        }
    }

    @Test
    void aClientWithAStaleSecretDoesNotSlowAnotherClientsLogin() {
        // The review's case behind a proxy: bob's seven wrong logins took alice's correct one 8 s.
        for (int i = 0; i < 7; i++) {
            assertEquals(401, token("127.0.0.5", "bob", "stale secret").statusCode());
        }
        Timed alice = timed(() -> token("127.0.0.6", "alice", ALICE_PASSWORD));
        assertEquals(200, alice.response().statusCode());
        assertTrue(alice.took().compareTo(QUICK) < 0, "alice's login took " + alice.took());
        Timed bob = timed(() -> token("127.0.0.5", "bob", BOB_PASSWORD));
        assertEquals(200, bob.response().statusCode());
        assertTrue(bob.took().compareTo(QUICK) >= 0, "the failing address itself is still slowed: " + bob.took());
    }

    private record Timed(HttpResponse<byte[]> response, Duration took) {
    }

    private static Timed timed(Supplier<HttpResponse<byte[]>> call) {
        long started = System.nanoTime();
        HttpResponse<byte[]> response = call.get();
        return new Timed(response, Duration.ofNanos(System.nanoTime() - started));
    }

    /** {@code GET /v2/} with Basic credentials from {@code address}, as a client with {@code auth.scheme: basic}. */
    private HttpResponse<byte[]> login(String address, String user, String password) {
        return send(address, request(user, password));
    }

    /** A token for {@code user}, as {@code docker login} asks for one, from {@code address}. */
    private HttpResponse<byte[]> token(String address, String user, String password) {
        return send(address, HttpRequest.newBuilder(URI.create(base() + "/auth/token?service=berth"))
                .header("Authorization", basic(user, password)).build());
    }

    private HttpRequest request(String user, String password) {
        return HttpRequest.newBuilder(URI.create(base() + "/v2/")).header("Authorization", basic(user, password))
                .build();
    }

    private HttpResponse<byte[]> send(String address, HttpRequest request) {
        try {
            return client(address).send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String base() {
        return "http://127.0.0.1:" + berth.port();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** An HTTP client whose connections come from {@code address}. */
    private HttpClient client(String address) {
        return clients.computeIfAbsent(address, a -> {
            try {
                return HttpClient.newBuilder().localAddress(InetAddress.getByName(a))
                        .connectTimeout(Duration.ofSeconds(5)).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
